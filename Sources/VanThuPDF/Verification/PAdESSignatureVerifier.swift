#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VanThuSigning

/// Verifies PDF signatures with VanThuSigning's validator (trust anchors, chain, CRLs, policy),
/// so each PDF signature gets the signing core's indication, sub-indication and checks.
public struct PAdESSignatureVerifier: PDFSignatureVerifier {
    public let validator: SignatureValidator
    public let validationTime: Date
    public let untrusted: [Certificate]

    public init(validator: SignatureValidator, at validationTime: Date = Date(), untrusted: [Certificate] = []) {
        self.validator = validator
        self.validationTime = validationTime
        self.untrusted = untrusted
    }

    public func verifyDetached(cms: [UInt8], content: PDFSignedContent, claimedSigningTime: Date?) async throws -> PDFCMSValidation {
        // Reading the signed ranges, hashing them and checking the CMS, all on NIO's thread pool.
        let document = try await BlockingWork.run { [validator, validationTime, untrusted] in
            validator.validateSynchronously(signature: cms, contentChunks: SignedContentChunks(content: content),
                                            at: validationTime, untrusted: untrusted, format: .pades)
        }
        guard let report = document.signatures.first else {
            return PDFCMSValidation(indication: .totalFailed, subIndication: SubIndication.formatFailure.rawValue,
                                    checks: ["The CMS holds no signer."])
        }
        return PDFCMSValidation(
            indication: PDFIndication(rawValue: report.indication.rawValue) ?? .totalFailed,
            subIndication: report.subIndication?.rawValue, signer: report.signer?.commonName ?? report.signer?.subject,
            signingTime: claimedSigningTime ?? report.claimedSigningTime,
            checks: report.checks.map { "[\($0.result.rawValue)] \($0.id): \($0.reason)" }, report: report)
    }

    /// Verifies every signature of the PDF at `url` and returns the shared document report
    /// (Schemas/validation-report.schema.json): one PAdES entry per signature, with its coverage.
    public func documentReport(fileAt url: URL, limits: PDFLimits = PDFLimits()) async throws -> ValidationReport {
        let pdf = try await PDFSignatureValidator.verify(fileAt: url, verifier: self, limits: limits)
        return documentReport(pdf, document: url.lastPathComponent)
    }

    /// The shared document report for a PDF verified with this verifier.
    public func documentReport(_ pdf: PDFVerificationReport, document: String?) -> ValidationReport {
        ValidationReport(validationTime: validationTime, policy: validator.policySummary, document: document,
                         signatures: pdf.signatures.map(Self.signatureReport))
    }

    static func signatureReport(_ signature: PDFSignatureReport) -> SignatureReport {
        let coverage = DocumentCoverage(
            byteRange: signature.byteRange, coversWholeDocument: signature.coversWholeDocument,
            laterRevisions: signature.laterRevisions.map {
                DocumentCoverage.LaterRevision(endOffset: $0.endOffset, kind: $0.kind.rawValue, changes: $0.changes)
            })
        let id = signature.fieldName
        let sub = signature.subIndication.flatMap(SubIndication.init(rawValue:)) ?? .formatFailure
        guard let core = signature.validation?.report else {
            let reason = signature.problems.first ?? "The signature could not be checked."
            return .containerFailure(
                id: id, format: .pades, claimedSigningTime: signature.claimedSigningTime, coverage: coverage,
                check: ValidationCheck(id: "byte-range", result: .failed, reason: reason, subIndication: sub))
        }
        var checks: [ValidationCheck] = []
        if signature.coversWholeDocument {
            checks.append(ValidationCheck(id: "byte-range", result: .passed,
                                          reason: "The signature covers the whole file but its own /Contents."))
        } else if signature.laterRevisions.contains(where: { $0.kind == .content }) {
            // Fails whatever the CMS said: a changed document is TOTAL_FAILED even with an INDETERMINATE chain.
            checks.append(ValidationCheck(id: "later-revisions", result: .failed,
                                          reason: signature.problems.first ?? "A later revision changes the document's content.",
                                          subIndication: .formatFailure))
        } else {
            let added = Set(signature.laterRevisions.map(\.kind)).sorted()
                .map { $0 == .signature ? "signatures" : "annotations, form fields or metadata" }
            checks.append(ValidationCheck(id: "later-revisions", result: .passed,
                                          reason: "Revisions appended after this signature only add \(added.joined(separator: " and "))."))
        }
        return core.inDocument(id: id, format: .pades, claimedSigningTime: signature.claimedSigningTime,
                               coverage: coverage, containerChecks: checks)
    }
}

/// The signed bytes as a sequence of chunks, read from the file one at a time (blocking: iterate
/// it off the cooperative pool). 256 KiB chunks hash as fast as 1 MiB ones and keep what a
/// verification holds small.
struct SignedContentChunks: Sequence {
    let content: PDFSignedContent
    var chunkSize = 256 << 10

    struct Iterator: IteratorProtocol {
        var pieces: [PDFSignedContent.Segment]
        var chunkSize: Int
        var segmentIndex = 0
        var offset: Int?

        mutating func next() -> [UInt8]? {
            while segmentIndex < pieces.count {
                let range: Range<Int>
                switch pieces[segmentIndex] {
                case .file(_, let r), .memory(_, let r): range = r
                }
                let start = offset ?? range.lowerBound
                guard start < range.upperBound else {
                    segmentIndex += 1
                    offset = nil
                    continue
                }
                let end = Swift.min(range.upperBound, start + chunkSize)
                offset = end
                switch pieces[segmentIndex] {
                case .file(let bytes, _): return bytes.copy(start..<end)
                case .memory(let array, _): return Array(array[start..<end])
                }
            }
            return nil
        }
    }

    func makeIterator() -> Iterator { Iterator(pieces: content.segments, chunkSize: chunkSize) }
}
