import ArgumentParser
import Foundation
import VanThuPDF
import VanThuSigning

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a detached CMS/CAdES signature, or a PDF's embedded signatures, as ETSI EN 319 102-1 does.",
        discussion: """
        Without --signature, FILE is a PDF and every signature embedded in it is verified.
        Exit status: 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE (the worst signature),
        3 unusable input (also a PDF with no signature).
        --trust takes a directory of anchors and CRLs (PEM or DER) or one PEM bundle.
        --at takes an ISO 8601 time (2026-03-01T08:00:00+07:00) or a date (2026-03-01, Vietnam time).
        """)

    @Argument(help: "The signed file.") var file: String
    @Option(help: "The detached signature; without it FILE is a PDF with embedded signatures.") var signature: String?
    @Option(help: "Trust anchors: a directory or a PEM bundle (required).") var trust: String?
    @Option(help: "A CRL file (PEM or DER); repeatable.") var crl: [String] = []
    @Option(help: "Intermediate certificates not embedded in the signature; repeatable.") var untrusted: [String] = []
    @Option(help: "Validation time instead of now.") var at: String?
    @Option(help: "Policy: default (a missing CRL warns) or strict (a CRL is required).") var policy: String = "default"
    @Flag(help: "Print the JSON report instead of text.") var json = false

    func run() async throws {
        var indication = Indication.totalFailed
        try await runReportingUnusableInput {
            guard let trust else { throw UnusableInput("--trust is required: a directory or PEM bundle of trust anchors.") }
            let chosenPolicy: ValidationPolicy = switch policy {
            case "default": .default
            case "strict": .strict
            default: throw UnusableInput("The policy must be default or strict.")
            }
            let time = try at.map(Self.parseTime) ?? Date()
            guard FileManager.default.isReadableFile(atPath: file) else { throw UnusableInput("The file \(file) cannot be read.") }
            let signatureBytes = try signature.map(readSignature)
            let store = try TrustStore.load(trustPath: trust, untrustedFiles: untrusted, crlFiles: crl)
            let validator = SignatureValidator(trustStore: store, policy: chosenPolicy)
            let report: ValidationReport
            if let signatureBytes {
                report = try await validator.validate(signature: signatureBytes, contentAt: file, at: time)
            } else {
                // --untrusted certificates are already the trust store's intermediates.
                report = try await PAdESSignatureVerifier(validator: validator, at: time)
                    .documentReport(fileAt: URL(fileURLWithPath: file))
                guard !report.signatures.isEmpty else { throw UnusableInput("The PDF \(file) has no signature to verify.") }
            }
            if json {
                try writeStandardOutput(String(decoding: try report.json(), as: UTF8.self) + "\n")
            } else {
                try writeStandardOutput(report.text)
            }
            indication = report.indication
        }
        switch indication {
        case .totalPassed: return
        case .totalFailed: throw ExitCode(1)
        case .indeterminate: throw ExitCode(2)
        }
    }

    private func readSignature(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw UnusableInput("The signature file \(path) cannot be opened.")
        }
        defer { try? handle.close() }
        // Signatures are small; a bound keeps a wrong file from filling memory.
        let limit = 64 << 20
        guard let data = try? handle.read(upToCount: limit + 1) else { return [] }
        guard data.count <= limit else { throw UnusableInput("The signature file \(path) is larger than 64 MiB, which no signature is.") }
        return [UInt8](data)
    }

    static func parseTime(_ text: String) throws -> Date {
        let full = ISO8601DateFormatter()
        full.formatOptions = [.withInternetDateTime]
        if let date = full.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        day.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        if let date = day.date(from: text) { return date }
        throw UnusableInput("The time \(text) is not ISO 8601, e.g. 2026-03-01T08:00:00+07:00 or 2026-03-01.")
    }
}
