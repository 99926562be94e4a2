#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// What a validation concludes from the signer's certificate alone, whatever the signature: its
/// key usage, its chain, the validity periods, the algorithms (with the signature's digest) and
/// revocation, as findings and report entries.
///
/// These conclusions depend on the validation time only through comparisons with a few instants:
/// each certificate's notBefore and notAfter, each CRL's nextUpdate and revocation time. Between
/// two consecutive instants they cannot change, so they are kept for that open interval (the
/// trust store's anchors and CRLs never change). A chain that did not complete is not kept.
final class CertificateAssessment: Sendable {
    let findings: [SignerEvaluation.Finding]
    let signer: CertificateSummary
    let chainSummaries: [CertificateSummary]
    let revocation: [RevocationStatus]
    /// The validation times these conclusions hold for: strictly after `from`, strictly before
    /// `until` (nil: unbounded). nil when the validation time is itself one of the instants.
    let span: (from: Date?, until: Date?)?

    /// `instants`: every time the conclusions compared the validation time with (validity
    /// bounds, CRL nextUpdates, revocation times, whatever the status they led to).
    init(findings: [SignerEvaluation.Finding], signer: CertificateSummary,
         chainSummaries: [CertificateSummary], revocation: [RevocationStatus], instants: [Date], validationTime: Date) {
        self.findings = findings
        self.signer = signer
        self.chainSummaries = chainSummaries
        self.revocation = revocation
        if instants.contains(validationTime) {
            span = nil
        } else {
            span = (from: instants.filter { $0 < validationTime }.max(), until: instants.filter { $0 > validationTime }.min())
        }
    }

    func holds(at time: Date) -> Bool {
        guard let span else { return false }
        return (span.from.map { $0 < time } ?? true) && (span.until.map { time < $0 } ?? true)
    }
}

/// The assessments of one validator (its trust store and policy), by signer's certificate and
/// digest algorithm.
final class CertificateAssessments: Sendable {
    struct Key: Hashable {
        let certificate: CertificateFingerprint
        let digestNID: Int32
    }

    private let entries = Mutex<[Key: CertificateAssessment]>([:])

    /// How many are kept.
    var count: Int { entries.withLock { $0.count } }

    func assessment(for key: Key, at time: Date) -> CertificateAssessment? {
        guard let known = entries.withLock({ $0[key] }), known.holds(at: time) else { return nil }
        return known
    }

    func remember(_ assessment: CertificateAssessment, for key: Key) {
        guard assessment.span != nil else { return }
        entries.withLock {
            if $0.count >= TrustStore.Storage.cacheLimit { $0.removeAll(keepingCapacity: true) }
            $0[key] = assessment
        }
    }
}
