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
    /// The validation times these conclusions hold for; nil when the validation time is itself
    /// one of the instants.
    let span: TimeSpan?

    /// `instants`: every time the conclusions compared the validation time with (validity
    /// bounds, CRL nextUpdates, revocation times, whatever the status they led to).
    init(findings: [SignerEvaluation.Finding], signer: CertificateSummary,
         chainSummaries: [CertificateSummary], revocation: [RevocationStatus], instants: [Date], validationTime: Date) {
        self.findings = findings
        self.signer = signer
        self.chainSummaries = chainSummaries
        self.revocation = revocation
        span = TimeSpan(around: validationTime, between: instants)
    }

    func holds(at time: Date) -> Bool { span?.holds(at: time) ?? false }
}

/// The open interval between the nearest instants before and after a time: strictly after
/// `from`, strictly before `until` (nil: unbounded). Conclusions drawn by comparing the time with
/// those instants only are the same anywhere in it.
struct TimeSpan: Sendable {
    let from: Date?
    let until: Date?

    /// nil when `time` is itself one of the instants.
    init?(around time: Date, between instants: [Date]) {
        var from: Date?
        var until: Date?
        for instant in instants {
            if instant == time { return nil }
            if instant < time { from = max(from ?? instant, instant) } else { until = min(until ?? instant, instant) }
        }
        self.from = from
        self.until = until
    }

    func holds(at time: Date) -> Bool {
        (from.map { $0 < time } ?? true) && (until.map { time < $0 } ?? true)
    }
}

/// The assessments of one validator (its trust store and policy), by signer's certificate and
/// digest algorithm.
final class CertificateAssessments: Sendable {
    struct Key: Hashable {
        let certificate: CertificateFingerprint
        let digestNID: Int32
        /// The certificates the signature embeds (and the caller gave), in order: they are the
        /// path builder's candidates, so another set may give another path.
        let candidates: [CertificateFingerprint]
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
