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

    /// Reads the signature file: a regular file only (a FIFO or a terminal would block, a
    /// directory is no signature), of at most 64 MiB.
    private func readSignature(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw UnusableInput("The signature file \(path) cannot be opened.") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw UnusableInput("The signature file \(path) cannot be read.") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw UnusableInput("The signature file \(path) cannot be read: it is not a regular file.")
        }
        // Signatures are small; a bound keeps a wrong file from filling memory.
        let limit = 64 << 20
        let tooLarge = UnusableInput("The signature file \(path) is larger than 64 MiB, which no signature is.")
        guard Int(status.st_size) <= limit else { throw tooLarge }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw UnusableInput("The signature file \(path) cannot be read.") }
            if count == 0 { break }
            guard bytes.count + count <= limit else { throw tooLarge }
            bytes += chunk.prefix(count)
        }
        return bytes
    }

    /// `--at`: a date (YYYY-MM-DD, midnight Vietnam time, +07:00) or a whole ISO 8601 time with
    /// seconds and an explicit offset or Z (YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)). The
    /// whole text must match, and every field must be in range: no date rolls over to another.
    static func parseTime(_ text: String) throws -> Date {
        let invalid = UnusableInput("The time \(text) is not ISO 8601, e.g. 2026-03-01T08:00:00+07:00 or 2026-03-01.")
        let time: Date
        if text.utf8.count == 10 {
            // A date alone: midnight in Vietnam.
            guard let midnight = ReportDate.parse(text + "T00:00:00+07:00") else { throw invalid }
            time = midnight
        } else {
            guard let parsed = ReportDate.parse(text) else { throw invalid }
            time = parsed
        }
        // An offset can carry a time in year 1 or 9999 over the edge: OpenSSL, RFC 3339 and the
        // report's four-digit years all end there.
        let earliest = Double(CivilTime.days(year: 1, month: 1, day: 1) * 86_400)
        let latest = Double(CivilTime.days(year: 9999, month: 12, day: 31) * 86_400 + 86_399)
        guard (earliest..<latest + 1).contains(time.timeIntervalSince1970) else {
            throw UnusableInput("The time \(text) is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z once converted to UTC.")
        }
        return time
    }
}
