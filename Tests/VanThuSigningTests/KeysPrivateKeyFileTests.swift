import Foundation
import Testing
@testable import VanThuSigning

/// Key files as tools write them: other PEM blocks before the key, hostile iteration counts,
/// passphrases that are not UTF-8 or that come through a pipe.
@Suite struct KeysPrivateKeyFileTests {
    let pki = TestPKI.shared

    @Test func encryptedKeyAfterCertificatesInOnePEMFile() throws {
        let fixtures = try KeysFixtures("all-pem")
        let all = fixtures.path("all.pem")
        // Certificates first (with "Bag Attributes" lines), then the key encrypted with "pw".
        try openssl(["pkcs12", "-in", pki.p12("hung.nv"), "-passin", "pass:\(TestPKI.passphrase)", "-passout", "pass:pw", "-out", all])
        let text = try String(contentsOfFile: all, encoding: .utf8)
        #expect(text.range(of: "CERTIFICATE")!.lowerBound < text.range(of: "ENCRYPTED PRIVATE")!.lowerBound)
        #expect(text.utf8.count > 256)
        let key = try PrivateKey(contentsOf: all, passphrase: .literal("pw"))
        #expect(key.publicKey.algorithm == .rsa)
        #expect(throws: SigningError(.passphraseRequired, "The private key is encrypted and no passphrase was given.")) {
            try PrivateKey(contentsOf: all)
        }
        let file = try fixtures.document()
        let signed = try runVanThu(["sign", file.path, "--key", all, "--cert", all, "--passphrase", "pass:pw"])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(try fixtures.opensslVerifies(signature: file.path + ".p7s", content: file.path))
    }

    @Test func ecKeyAfterECParameters() throws {
        let fixtures = try KeysFixtures("ecparam")
        let key = fixtures.path("ec.key")
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-out", key])
        #expect(try String(contentsOfFile: key, encoding: .utf8).hasPrefix("-----BEGIN EC PARAMETERS-----"))
        try fixtures.issue("ec", subject: "/C=VN/CN=Lý Thị Tham Số", existingKey: key)
        let file = try fixtures.document()
        let signed = try runVanThu(["sign", file.path, "--key", key, "--cert", fixtures.path("ec.pem"), "--chain", pki.issuingCA])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(try fixtures.opensslVerifies(signature: file.path + ".p7s", content: file.path))
    }

    @Test func hostileIterationCountInAnEncryptedPKCS8IsRefused() throws {
        let fixtures = try KeysFixtures("pkcs8-iter")
        let der = fixtures.path("k.der")
        try openssl(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-iter", "65793", "-in", pki.key("hung.nv"),
                     "-passout", "pass:pw", "-outform", "DER", "-out", der])
        let patched = KeysPKCS12Tests.raisingIterations(try bytes(URL(fileURLWithPath: der)))
        try Data(patched).write(to: URL(fileURLWithPath: der))
        let pem = fixtures.path("k.pem")
        let body = Data(patched).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        try write("-----BEGIN ENCRYPTED PRIVATE " + "KEY-----\n\(body)\n-----END ENCRYPTED PRIVATE " + "KEY-----\n", to: URL(fileURLWithPath: pem))
        let message = "The encrypted private key asks for 8388607 key-derivation iterations, more than the 2000000 VanThu accepts."
        for path in [der, pem] {
            let started = Date()
            #expect(throws: SigningError(.malformedInput, message)) { try PrivateKey(contentsOf: path, passphrase: .literal("pw")) }
            #expect(Date().timeIntervalSince(started) < 1)
            let file = try fixtures.document()
            let refused = try runVanThu(["sign", file.path, "--key", path, "--cert", pki.cert("hung.nv"), "--passphrase", "pass:pw"])
            #expect(refused.status == 3)
            #expect(refused.stderr == "vanthu: \(message)\n")
            #expect(!FileManager.default.fileExists(atPath: file.path + ".p7s"))
        }
    }

    /// A passphrase in Latin-1 ("é" as the single byte E9) reaches OpenSSL unchanged.
    @Test func passphraseBytesThatAreNotUTF8() throws {
        let fixtures = try KeysFixtures("latin1")
        let secret = fixtures.directory.appendingPathComponent("secret")
        try Data([0x63, 0x61, 0x66, 0xe9, 0x0a]).write(to: secret)   // "caf\u{E9}\n" in Latin-1
        let key = fixtures.path("latin1.key")
        try openssl(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", pki.key("hung.nv"), "-passout", "file:\(secret.path)", "-out", key])
        #expect(try PassphraseSource.file(secret.path).readBytes() == [0x63, 0x61, 0x66, 0xe9])
        _ = try PrivateKey(contentsOf: key, passphrase: .file(secret.path))
        let file = try fixtures.document()
        let signed = try runVanThu(["sign", file.path, "--key", key, "--cert", pki.cert("hung.nv"), "--passphrase", "file:\(secret.path)"])
        #expect(signed.status == 0, "\(signed.stderr)")
    }
}
