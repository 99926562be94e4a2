#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a signature embedded in a document covers: for a PDF, its /ByteRange, whether that is the
/// whole file, and the incremental updates appended after the signed revision.
public struct DocumentCoverage: Sendable, Hashable, Codable {
    /// One revision appended after the signed one.
    public struct LaterRevision: Sendable, Hashable, Codable {
        /// File length at the end of the revision.
        public let endOffset: Int
        /// `signature`, `annotation` or `content`.
        public let kind: String
        /// One short line per changed object.
        public let changes: [String]

        public init(endOffset: Int, kind: String, changes: [String]) {
            self.endOffset = endOffset
            self.kind = kind
            self.changes = changes
        }
    }

    public let byteRange: [Int]
    public let coversWholeDocument: Bool
    public let laterRevisions: [LaterRevision]

    public init(byteRange: [Int], coversWholeDocument: Bool, laterRevisions: [LaterRevision]) {
        self.byteRange = byteRange
        self.coversWholeDocument = coversWholeDocument
        self.laterRevisions = laterRevisions
    }
}

extension SignatureReport {
    /// This report as one signature of a document: renamed, with the claimed signing time the
    /// container states (a PDF's /M, which PAdES puts there instead of a CMS signingTime), the
    /// coverage, and the container's own checks (a failed one makes the signature TOTAL_FAILED).
    public func inDocument(id: String, format: SignatureFormat, claimedSigningTime: Date?,
                           coverage: DocumentCoverage?, containerChecks: [ValidationCheck]) -> SignatureReport {
        var checks = self.checks
        var indication = self.indication
        var subIndication = self.subIndication
        if format == .pades, let time = claimedSigningTime,
           let index = checks.firstIndex(where: { $0.id == "signing-time" && $0.result == .warning }) {
            if let notBefore = signer?.notBefore, time < notBefore {
                // The same rule as for a CMS signingTime (EN 319 102-1, 5.2.7): TOTAL_FAILED / NOT_YET_VALID.
                checks[index] = ValidationCheck(
                    id: "signing-time", result: .failed,
                    reason: "The claimed signing time, the signature dictionary's /M (\(ReportDate.text(time))), is before the certificate became valid on \(ReportDate.text(notBefore)).",
                    subIndication: .notYetValid)
                if indication != .totalFailed {
                    indication = .totalFailed
                    subIndication = .notYetValid
                }
            } else {
                checks[index] = ValidationCheck(
                    id: "signing-time", result: .passed,
                    reason: "The claimed signing time is the signature dictionary's /M (\(ReportDate.text(time))), as PAdES requires.")
            }
        }
        checks += containerChecks
        if indication != .totalFailed, let failure = containerChecks.first(where: { $0.result == .failed }) {
            indication = .totalFailed
            subIndication = failure.subIndication ?? .formatFailure
        }
        return SignatureReport(
            id: id, format: format, indication: indication, subIndication: subIndication, signer: signer,
            claimedSigningTime: claimedSigningTime ?? self.claimedSigningTime, digestAlgorithm: digestAlgorithm,
            signatureAlgorithm: signatureAlgorithm, chain: chain, revocation: revocation, checks: checks, coverage: coverage)
    }

    /// A signature the container makes unusable before its CMS can be checked (a broken PDF /ByteRange).
    public static func containerFailure(id: String, format: SignatureFormat, claimedSigningTime: Date?,
                                        coverage: DocumentCoverage?, check: ValidationCheck) -> SignatureReport {
        SignatureReport(
            id: id, format: format, indication: .totalFailed, subIndication: check.subIndication ?? .formatFailure,
            signer: nil, claimedSigningTime: claimedSigningTime, digestAlgorithm: nil, signatureAlgorithm: nil,
            chain: [], revocation: [], checks: [check], coverage: coverage)
    }
}

extension SignatureValidator {
    /// The policy as reports name it, for callers that assemble a document report themselves.
    public var policySummary: PolicySummary { policy.summary }
}
