#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ValidationReport {
    /// The report as a person reads it; dates in Vietnam time. Control and bidirectional
    /// formatting characters (from certificate names, file names, reasons) are shown as escapes,
    /// so that none can start a forged line.
    public var text: String {
        var lines: [String] = []
        lines.append("Result: \(indication.rawValue)\(subIndication.map { " / \($0.rawValue)" } ?? "")")
        // Warnings do not change the result, but a reader who stops at it must still see them
        // (under the default policy, "no current revocation data" is one).
        for signature in signatures {
            for check in signature.checks where check.result == .warning {
                lines.append("Warning (\(signature.id), \(check.id)): \(check.reason)")
            }
        }
        if let document { lines.append("Document: \(document)") }
        lines.append("Validated at: \(ReportDate.text(validationTime))")
        lines.append("Policy: \(policy.name) (\(policy.description))")
        for signature in signatures {
            lines.append("")
            lines.append("\(signature.id) [\(signature.format.rawValue)]: \(signature.indication.rawValue)\(signature.subIndication.map { " / \($0.rawValue)" } ?? "")")
            if let signer = signature.signer {
                lines.append("  Signer: \(signer.displayName)")
                lines.append("    Subject: \(signer.subject)")
                lines.append("    Issuer: \(signer.issuer)")
                lines.append("    Serial: \(signer.serialNumber)")
                lines.append("    SHA-256 fingerprint: \(signer.sha256Fingerprint)")
            }
            if let time = signature.claimedSigningTime { lines.append("  Signing time (claimed): \(ReportDate.text(time))") }
            if let digest = signature.digestAlgorithm { lines.append("  Digest: \(digest)") }
            if let algorithm = signature.signatureAlgorithm { lines.append("  Signature: \(algorithm)") }
            if !signature.chain.isEmpty {
                lines.append("  Chain:")
                for certificate in signature.chain {
                    let anchor = certificate.isTrustAnchor ? " (trust anchor)" : ""
                    lines.append("    - \(certificate.displayName)\(anchor), valid \(ReportDate.text(certificate.notBefore)) to \(ReportDate.text(certificate.notAfter))")
                }
            }
            if !signature.revocation.isEmpty {
                lines.append("  Revocation:")
                for status in signature.revocation {
                    // The name the chain lines use for the same certificate.
                    let who = signature.chain.first { $0.sha256Fingerprint == status.sha256Fingerprint }?.displayName
                        ?? (status.subject.isEmpty ? status.sha256Fingerprint : status.subject)
                    lines.append("    - \(who): \(status.status.rawValue): \(status.reason)")
                }
            }
            if let coverage = signature.coverage { lines += Self.coverageLines(coverage) }
            lines.append("  Checks:")
            for check in signature.checks {
                lines.append("    [\(check.result.rawValue)] \(check.id): \(check.reason)")
            }
        }
        return lines.map(\.escapingControlCharacters).joined(separator: "\n") + "\n"
    }

    private static func coverageLines(_ coverage: DocumentCoverage) -> [String] {
        if coverage.coversWholeDocument { return ["  Covers: the whole file"] }
        let signedEnd = coverage.byteRange.count == 4 ? coverage.byteRange[2] + coverage.byteRange[3] : 0
        var lines = ["  Covers: the file up to byte \(signedEnd); changed later:"]
        for revision in coverage.laterRevisions {
            let what = revision.changes.isEmpty ? "" : ": " + revision.changes.joined(separator: "; ")
            lines.append("    - revision ending at byte \(revision.endOffset) (\(revision.kind))\(what)")
        }
        return lines
    }
}
