import ArgumentParser
import Foundation
import VanThuSigning

struct Cert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect certificates.",
        subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a certificate (PEM or DER; every one of a bundle) as a person reads it.")

        @Argument(help: "Certificate file.") var file: String

        func run() async throws {
            try await runReportingUnusableInput {
                let certificates = try Certificate.load(contentsOf: file)
                try writeStandardOutput(certificates.map(Self.describe).joined(separator: "\n"))
            }
        }

        static func describe(_ certificate: Certificate) -> String {
            let now = Date()
            let state = now < certificate.notBefore ? "not yet valid" : now > certificate.notAfter ? "expired" : "valid now"
            var lines = ["Certificate: \(certificate.displayName)"]
            for attribute in certificate.subject.attributes {
                lines.append("  \(Self.label(attribute.type)): \(attribute.value)")
            }
            lines.append("  Issuer: \(certificate.issuer.displayName ?? "(no name)")")
            lines.append("  Serial number: \(certificate.serialNumber)")
            lines.append("  Valid from: \(ReportDate.text(certificate.notBefore))")
            lines.append("  Valid until: \(ReportDate.text(certificate.notAfter)) (\(state))")
            lines.append("  Public key: \(certificate.publicKey)")
            lines.append("  Signature algorithm: \(certificate.signatureAlgorithm)")
            let usage = certificate.keyUsage.map { usage in
                [(Certificate.KeyUsage.digitalSignature, "digital signature"), (.nonRepudiation, "non-repudiation"),
                 (.keyEncipherment, "key encipherment"), (.keyCertSign, "certificate signing"), (.crlSign, "CRL signing")]
                    .filter { usage.contains($0.0) }.map(\.1).joined(separator: ", ")
            } ?? "not restricted"
            lines.append("  Key usage: \(usage)")
            lines.append("  Certificate authority: \(certificate.isCertificateAuthority ? "yes" : "no")")
            lines.append("  SHA-256 fingerprint: \(certificate.sha256Fingerprint)")
            // Names come from the certificate: control characters in them are shown as escapes.
            return lines.map(\.escapingControlCharacters).joined(separator: "\n") + "\n"
        }

        private static func label(_ type: String) -> String {
            ["CN": "Name (CN)", "O": "Organisation (O)", "OU": "Unit (OU)", "L": "Locality (L)", "ST": "Province (ST)",
             "C": "Country (C)", "title": "Title", "UID": "User ID (UID)", "emailAddress": "E-mail",
             "serialNumber": "Serial (subject)"][type] ?? type
        }
    }
}
