import Foundation

/// `vanthu sign` as the client tests run it: hung.nv's PKCS#12, its passphrase from the environment.
extension TestPKI {
    static let clientEnvironment = ["VANTHU_TEST_P12": TestPKI.passphrase]

    func clientSignArguments(_ file: String, out: String) -> [String] {
        ["sign", file, "--p12", p12("hung.nv"), "--passphrase", "env:VANTHU_TEST_P12", "--out", out]
    }

    /// A small document signed by the client into FILE.p7s.
    func clientSignedDocument() throws -> (file: String, signature: String) {
        let file = try temporaryDirectory("client").appendingPathComponent("a.txt")
        try write("Thông báo", to: file)
        let result = try runVanThu(clientSignArguments(file.path, out: file.path + ".p7s"), environment: Self.clientEnvironment)
        guard result.status == 0 else { throw TestFailure("vanthu sign failed: \(result.stderr)") }
        return (file.path, file.path + ".p7s")
    }
}
