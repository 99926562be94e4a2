#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

extension SignerEvaluation {
    /// Checks every certificate below the trust anchor against the freshest CRL its issuer
    /// signed. Missing or stale data is a warning or TRY_LATER, as the policy says. Also gives
    /// the instants at which the outcome could change with the validation time: each CRL's
    /// nextUpdate and the revocation time of each entry found, whatever the status reported.
    func checkRevocation(_ chain: [Certificate], _ findings: inout Findings) -> (statuses: [RevocationStatus], instants: [Date]) {
        var statuses: [RevocationStatus] = []
        var instants: [Date] = []
        var revokedSigner: String?
        var revokedCA: String?
        var missing: [String] = []
        for depth in 0..<max(chain.count - 1, 0) {
            let certificate = chain[depth]
            let issuer = chain[depth + 1]
            let name = certificate.subject.commonName ?? certificate.subject.description
            let (status, depends) = status(of: certificate, issuer: issuer)
            statuses.append(status)
            instants += depends
            switch status.status {
            case .revoked:
                if depth == 0 { revokedSigner = status.reason } else if revokedCA == nil { revokedCA = status.reason }
            case .unknown:
                missing.append("\(name): \(status.reason)")
            case .good:
                break
            }
        }
        if let revokedSigner {
            findings.fail("revocation", .indeterminate, .revokedNoPOE,
                          "\(revokedSigner) No proof of existence shows the signature was made before the revocation.")
        } else if let revokedCA {
            findings.fail("revocation", .indeterminate, .revokedCANoPOE, revokedCA)
        } else if !missing.isEmpty {
            let reason = "No current revocation data: \(missing.joined(separator: "; "))"
            if policy.revocation == .required {
                findings.fail("revocation", .indeterminate, .tryLater, reason + " The policy \(policy.name) requires it.")
            } else {
                findings.warn("revocation", reason)
            }
        } else {
            findings.pass("revocation", "No certificate of the chain is revoked according to current CRLs.")
        }
        return (statuses, instants)
    }

    /// The status at the validation time, and the instants it was compared with.
    private func status(of certificate: Certificate, issuer: Certificate) -> (RevocationStatus, [Date]) {
        let name = certificate.subject.commonName ?? certificate.subject.description
        guard let crl = storage.newestCRL(signedBy: issuer) else {
            return (RevocationStatus(sha256Fingerprint: certificate.sha256Fingerprint, subject: certificate.subject.description,
                                    status: .unknown, source: nil, crlIssuer: nil, thisUpdate: nil, nextUpdate: nil,
                                    revocationTime: nil, revocationReason: nil,
                                    reason: "no valid CRL from \(issuer.subject.commonName ?? issuer.subject.description) is known"), [])
        }
        func make(_ status: RevocationStatus.Status, _ entry: CertificateRevocationList.Entry?, _ reason: String) -> RevocationStatus {
            RevocationStatus(sha256Fingerprint: certificate.sha256Fingerprint, subject: certificate.subject.description,
                             status: status, source: "CRL", crlIssuer: crl.issuer.description, thisUpdate: crl.thisUpdate,
                             nextUpdate: crl.nextUpdate, revocationTime: entry?.revocationTime,
                             revocationReason: entry?.reason, reason: reason)
        }
        let entry = crl.entry(for: certificate)
        let instants = [crl.nextUpdate, entry?.revocationTime].compactMap { $0 }
        if let entry, entry.revocationTime <= validationTime {
            let why = entry.reason.map { " (\($0))" } ?? ""
            return (make(.revoked, entry, "The certificate of \(name) was revoked on \(ReportDate.text(entry.revocationTime))\(why)."), instants)
        }
        if let nextUpdate = crl.nextUpdate, nextUpdate < validationTime {
            return (make(.unknown, nil, "the newest CRL from \(issuer.subject.commonName ?? "its issuer") expired on \(ReportDate.text(nextUpdate))"), instants)
        }
        if let entry {
            return (make(.good, entry, "Not revoked at the validation time; revoked later, on \(ReportDate.text(entry.revocationTime))."), instants)
        }
        return (make(.good, nil, "Not listed in the CRL issued \(ReportDate.text(crl.thisUpdate))."), instants)
    }
}

/// Dates as people in Vietnam read them: ISO 8601 in +07:00. Formatted by hand because
/// Foundation's formatters are costly to create and not documented as thread-safe on Linux.
enum ReportDate {
    static func text(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down)) + 7 * 3600
        var broken = tm()
        gmtime_r(&seconds, &broken)
        // Written as ASCII bytes: reports format several dates per signature, thousands a second.
        var text = [UInt8]()
        text.reserveCapacity(25)
        func digits(_ value: Int32, _ width: Int) {
            var divisor: Int32 = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 { text.append(UInt8(48 + (value / divisor) % 10)); divisor /= 10 }
        }
        let year = broken.tm_year + 1900
        if (1000...9999).contains(year) { digits(year, 4) } else { text.append(contentsOf: String(year).utf8) }
        text.append(UInt8(ascii: "-")); digits(broken.tm_mon + 1, 2)
        text.append(UInt8(ascii: "-")); digits(broken.tm_mday, 2)
        text.append(UInt8(ascii: "T")); digits(broken.tm_hour, 2)
        text.append(UInt8(ascii: ":")); digits(broken.tm_min, 2)
        text.append(UInt8(ascii: ":")); digits(broken.tm_sec, 2)
        text.append(contentsOf: "+07:00".utf8)
        return String(decoding: text, as: UTF8.self)
    }
}
