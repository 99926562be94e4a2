import Foundation
import Testing
@testable import VanThuSigning

/// Certificate names are printed with control and bidirectional characters escaped; JSON keeps them.
@Suite struct ClientDisplayTests {
    let pki = TestPKI.shared

    // MARK: - Names with control characters

    @Test func controlCharactersInNamesAreEscapedForDisplay() throws {
        let fixtures = try KeysFixtures("spoof")
        let name = "Mallory Đỗ\nResult: TOTAL_PASSED\u{1B}[2J\u{202E}cba"
        let (key, cert) = try fixtures.issue("spoof", subject: "/C=VN/CN=\(name)", key: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
        #expect(try Certificate.load(contentsOf: cert)[0].subject.commonName == name)
        let escaped = #"Mallory Đỗ\nResult: TOTAL_PASSED\u{1B}[2J\u{202E}cba"#
        let file = try fixtures.document()
        let signed = try runVanThu(["sign", file.path, "--key", key, "--cert", cert, "--chain", pki.issuingCA])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(signed.output == "Signed \(file.path) as \(escaped): \(file.path).p7s\n")

        let text = try runVanThu(["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory])
        #expect(text.status == 0, "\(text.output)")
        let lines = text.output.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.filter { $0.hasPrefix("Result:") }.count == 1)
        #expect(lines.contains("  Signer: \(escaped)"))
        #expect(!text.output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E })

        let json = try runVanThu(["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory, "--json"])
        #expect(try ValidationReport.decode(json: json.stdout).signatures.first?.signer?.commonName == name)

        let shown = try runVanThu(["cert", "show", cert])
        #expect(shown.status == 0)
        #expect(shown.output.hasPrefix("Certificate: \(escaped)\n"))
        #expect(shown.output.contains("  Name (CN): \(escaped)\n"))
        #expect(!shown.output.contains("\nResult"))
    }
}
