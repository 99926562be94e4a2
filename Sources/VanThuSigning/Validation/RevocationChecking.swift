#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SignerEvaluation {
    /// Checks every certificate below the trust anchor against the CRLs its issuer signed.
    /// Missing or stale data is a warning or TRY_LATER, as the policy says; a suspended
    /// certificate (certificateHold) is TRY_LATER whatever the policy. Also gives the instants at
    /// which the outcome could change with the validation time: each CRL's nextUpdate and the
    /// revocation time of each entry found, whatever the status reported.
    func checkRevocation(_ chain: [Certificate], _ findings: inout Findings) -> (statuses: [RevocationStatus], instants: [Date]) {
        var statuses: [RevocationStatus] = []
        var instants: [Date] = []
        var revokedSigner: String?
        var revokedCA: String?
        var suspended: [String] = []
        var missing: [String] = []
        for depth in 0..<max(chain.count - 1, 0) {
            let certificate = chain[depth]
            let issuer = chain[depth + 1]
            let name = certificate.displayName
            let found = status(of: certificate, issuer: issuer)
            statuses.append(found.status)
            instants += found.instants
            switch found.status.status {
            case .revoked:
                if depth == 0 { revokedSigner = found.status.reason } else if revokedCA == nil { revokedCA = found.status.reason }
            case .unknown where found.suspended:
                suspended.append(found.status.reason)
            case .unknown:
                missing.append("\(name): \(found.missing ?? found.status.reason)")
            case .good:
                break
            }
        }
        if let revokedSigner {
            findings.fail("revocation", .indeterminate, .revokedNoPOE,
                          "\(revokedSigner) No proof of existence shows the signature was made before the revocation.")
        } else if let revokedCA {
            findings.fail("revocation", .indeterminate, .revokedCANoPOE, revokedCA)
        } else if !suspended.isEmpty {
            findings.fail("revocation", .indeterminate, .tryLater,
                          suspended.joined(separator: " ") + " Its status is decided when the CA lifts or confirms the suspension.")
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

    private struct Found {
        let status: RevocationStatus
        /// Every instant the status was decided by comparing with the validation time.
        let instants: [Date]
        /// Why no current data decides, as a clause for the check's sentence (the status's own
        /// reason is that clause as a sentence).
        var missing: String?
        /// On hold (certificateHold) in the newest complete CRL.
        var suspended = false
    }

    /// The status at the validation time (RFC 5280 §6.3), from the CRLs the issuer signed that
    /// cover the certificate and whose signature meets the policy:
    /// - revoked, when any of them (a delta CRL included) lists it revoked, at or before the
    ///   validation time, for another reason than certificateHold: revocation is permanent,
    ///   so a newer CRL that no longer lists it does not undo it, and two CRLs of the same date
    ///   cannot be played against each other;
    /// - otherwise decided by the newest complete CRL (by thisUpdate, then cRLNumber): on hold
    ///   when it, or a delta CRL issued after it, lists the certificate with certificateHold and no
    ///   newer one of these lifts it (removeFromCRL); unknown when it has no nextUpdate
    ///   or expired before the validation time; good otherwise.
    private func status(of certificate: Certificate, issuer: Certificate) -> Found {
        let name = certificate.displayName
        let issuerName = issuer.displayName
        let signed = storage.crls(signedBy: issuer)
        let namesAnotherIssuer = certificate.namesAnotherCRLIssuer
        let inScope = namesAnotherIssuer ? [] : signed.filter { $0.covers(certificate) }
        let usable = inScope.filter { crl in crl.signatureDigest.map(policy.acceptedDigests.contains) ?? true }
        func make(_ status: RevocationStatus.Status, _ crl: CertificateRevocationList?, _ entry: CertificateRevocationList.Entry?,
                  _ reason: String) -> RevocationStatus {
            RevocationStatus(sha256Fingerprint: certificate.sha256Fingerprint, subject: certificate.subject.description,
                             status: status, source: crl == nil ? nil : "CRL", crlIssuer: crl?.issuer.description,
                             thisUpdate: crl?.thisUpdate, nextUpdate: crl?.nextUpdate, revocationTime: entry?.revocationTime,
                             revocationReason: entry?.reason, reason: reason)
        }
        let entries = usable.compactMap { crl in crl.entry(for: certificate).map { (crl, $0) } }
        let complete = usable.first { !$0.isDelta }
        let instants = entries.map(\.1.revocationTime) + [complete?.nextUpdate].compactMap { $0 }
        func unknown(_ crl: CertificateRevocationList?, _ why: String) -> Found {
            let sentence = why.prefix(1).uppercased() + why.dropFirst() + "."
            return Found(status: make(.unknown, crl, nil, sentence), instants: instants, missing: why)
        }
        if let (crl, entry) = entries.first(where: { $0.1.isRevocation && $0.1.revocationTime <= validationTime }) {
            let why = entry.reason.map { " (\($0))" } ?? ""
            return Found(status: make(.revoked, crl, entry, "The certificate of \(name) was revoked on \(ReportDate.text(entry.revocationTime))\(why)."),
                         instants: instants)
        }
        guard let crl = complete else {
            let why: String
            if signed.isEmpty {
                why = "no valid CRL from \(issuerName) is known"
            } else if namesAnotherIssuer {
                why = "the certificate names another CRL issuer for its status, whose indirect CRLs VanThu does not use"
            } else if signed.allSatisfy(\.isDelta) {
                why = "only delta CRLs from \(issuerName) are known, and no complete CRL"
            } else if inScope.isEmpty {
                why = "the CRLs from \(issuerName) do not cover this certificate (their issuing distribution point limits them)"
            } else {
                why = "the CRLs from \(issuerName) are signed with a digest below the policy \(policy.name)"
            }
            return unknown(nil, why)
        }
        // Freshness first: a hold found in data that is no longer current says nothing current
        // (and anyone can hand over an old CRL).
        guard let nextUpdate = crl.nextUpdate else {
            return unknown(crl, "the newest CRL from \(issuerName) has no nextUpdate, so nothing says it is current")
        }
        if nextUpdate < validationTime {
            return unknown(crl, "the newest CRL from \(issuerName) expired on \(ReportDate.text(nextUpdate))")
        }
        // The current status is the newest complete CRL with the delta CRLs issued after it; of
        // these, the newest that mentions a hold decides whether it still holds, as a delta
        // CRL lists removeFromCRL for a hold lifted since its base.
        let current = [crl] + usable.filter { $0.isDelta && CertificateRevocationList.isNewer($0, than: crl) }
        let holdNews = entries.filter { found in current.contains(found.0) && (found.1.isHold || found.1.liftsHold) }
            .max { CertificateRevocationList.isNewer($1.0, than: $0.0) }
        if let (holding, hold) = holdNews, hold.isHold, hold.revocationTime <= validationTime {
            return Found(status: make(.unknown, holding, hold, "The certificate of \(name) is suspended (certificateHold) since \(ReportDate.text(hold.revocationTime))."),
                         instants: instants, missing: nil, suspended: true)
        }
        let entry = entries.first { $0.0 == crl && $0.1.isRevocation }?.1
        if let entry {
            return Found(status: make(.good, crl, entry, "Not revoked at the validation time; revoked later, on \(ReportDate.text(entry.revocationTime))."),
                         instants: instants)
        }
        return Found(status: make(.good, crl, nil, "Not listed in the CRL issued \(ReportDate.text(crl.thisUpdate))."), instants: instants)
    }
}
