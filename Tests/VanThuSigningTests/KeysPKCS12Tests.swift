import COpenSSL
import Foundation
import Testing
@testable import VanThuSigning

/// PKCS#12 files as other tools write them: without a MAC, with no password at all, with
/// certificates listed twice or belonging to someone else, and with hostile iteration counts.
@Suite struct KeysPKCS12Tests {
    let pki = TestPKI.shared

    /// The subjects of the certificates embedded in a DER signature, by `openssl pkcs7`.
    private func embeddedSubjects(_ signature: [UInt8], in directory: URL) throws -> [String] {
        let path = directory.appendingPathComponent("embedded-\(UUID().uuidString.prefix(6)).p7s")
        try Data(signature).write(to: path)
        let printed = try openssl(["pkcs7", "-inform", "DER", "-in", path.path, "-print_certs", "-noout"]).output
        return printed.split(separator: "\n").filter { $0.hasPrefix("subject=") }.map(String.init)
    }

    private func export(_ user: String, certfile: String, to path: String, extra: [String] = []) throws {
        try openssl(["pkcs12", "-export", "-inkey", pki.key(user), "-in", pki.cert(user), "-certfile", certfile,
                     "-passout", "pass:\(TestPKI.passphrase)", "-out", path] + extra)
    }

    // MARK: - Certificates to embed

    @Test func certificatesListedTwiceAreEmbeddedOnce() throws {
        let fixtures = try KeysFixtures("twice")
        let ca = try String(contentsOfFile: pki.issuingCA, encoding: .utf8)
        let twice = fixtures.path("ca-twice.pem")
        try write(ca + ca, to: URL(fileURLWithPath: twice))
        let signerAndCA = fixtures.path("signer-and-ca.pem")
        try write(try String(contentsOfFile: pki.cert("hung.nv"), encoding: .utf8) + ca, to: URL(fileURLWithPath: signerAndCA))
        let p12 = fixtures.path("twice.p12")
        try export("hung.nv", certfile: twice, to: p12)
        let identities = [
            try SigningIdentity(keyFile: pki.key("hung.nv"), certificateFile: pki.cert("hung.nv"), chainFile: twice),
            try SigningIdentity(keyFile: pki.key("hung.nv"), certificateFile: signerAndCA, chainFile: pki.issuingCA),
            try SigningIdentity(pkcs12File: p12, passphrase: .literal(TestPKI.passphrase)),
        ]
        for identity in identities {
            #expect(identity.chain.map(\.der) == [try Certificate.load(contentsOf: pki.issuingCA)[0].der])
            let file = try fixtures.document()
            let signature = try CAdESSigner(identity: identity).signSynchronously(fileAt: file.path)
            #expect(try embeddedSubjects(signature, in: fixtures.directory).count == 2)
            let report = try SignatureValidator(trustStore: pki.trustStore()).validateSynchronously(signature: signature, contentAt: file.path)
            #expect(report.indication == .totalPassed)
        }
        let file = try fixtures.document()
        let cli = try runVanThu(["sign", file.path, "--key", pki.key("hung.nv"), "--cert", signerAndCA, "--chain", twice])
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(try fixtures.opensslVerifies(signature: file.path + ".p7s", content: file.path))
    }

    @Test func anotherPersonsCertificateInAP12IsNotEmbedded() throws {
        let fixtures = try KeysFixtures("unrelated")
        let others = fixtures.path("others.pem")
        let text = try [pki.cert("lan.tt"), pki.issuingCA, pki.rootCertificate].map { try String(contentsOfFile: $0, encoding: .utf8) }
        try write(text.joined(), to: URL(fileURLWithPath: others))
        let p12 = fixtures.path("unrelated.p12")
        try export("hung.nv", certfile: others, to: p12)
        let identity = try SigningIdentity(pkcs12File: p12, passphrase: .literal(TestPKI.passphrase))
        let expected = try [pki.issuingCA, pki.rootCertificate].map { try Certificate.load(contentsOf: $0)[0].der }
        #expect(identity.chain.map(\.der) == expected)
        let file = try fixtures.document()
        let signature = try CAdESSigner(identity: identity).signSynchronously(fileAt: file.path)
        let subjects = try embeddedSubjects(signature, in: fixtures.directory)
        #expect(subjects.count == 3)
        let lan = try Certificate.load(contentsOf: pki.cert("lan.tt"))[0]
        #expect(signature.firstRange(of: lan.der) == nil)
    }

    // MARK: - Passwords and MACs

    @Test func p12WithoutAMACOpensWithItsPassphrase() throws {
        let fixtures = try KeysFixtures("nomac")
        let p12 = fixtures.path("nomac.p12")
        try export("hung.nv", certfile: pki.issuingCA, to: p12, extra: ["-nomac"])
        let identity = try SigningIdentity(pkcs12File: p12, passphrase: .literal(TestPKI.passphrase))
        #expect(identity.certificate.subject.commonName == "Nguyễn Văn Hùng")
        let file = try fixtures.document()
        let signed = try runVanThu(["sign", file.path, "--p12", p12, "--passphrase", "pass:\(TestPKI.passphrase)"])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(try fixtures.opensslVerifies(signature: file.path + ".p7s", content: file.path))
        let other = try fixtures.document()
        let wrong = try runVanThu(["sign", other.path, "--p12", p12, "--passphrase", "pass:sai"])
        #expect(wrong.status == 3)
        #expect(wrong.stderr == "vanthu: The PKCS#12 file has no integrity MAC, and the passphrase does not decrypt it or it is damaged.\n")
        #expect(!FileManager.default.fileExists(atPath: other.path + ".p7s"))
    }

    /// PKCS#12 distinguishes no password (MAC key derived from no bytes) from the empty one.
    @Test func p12WithNoPasswordOpensWithoutAPassphrase() throws {
        let fixtures = try KeysFixtures("nullpass")
        let identity = try pki.identity("hung.nv")
        let ca = try Certificate.load(contentsOf: pki.issuingCA)[0]
        let der: [UInt8] = try withCertificateStack([ca]) { stack in
            guard let p12 = PKCS12_create(nil, "hung.nv", identity.privateKey.backing.pointer, identity.certificate.backing.pointer,
                                          stack, -1, -1, 2048, 2048, 0) else { throw TestFailure("PKCS12_create failed") }
            defer { PKCS12_free(p12) }
            guard let der = encodeDER({ i2d_PKCS12(p12, $0) }) else { throw TestFailure("i2d_PKCS12 failed") }
            return der
        }
        let p12 = fixtures.path("nullpass.p12")
        try Data(der).write(to: URL(fileURLWithPath: p12))
        #expect(try SigningIdentity(pkcs12: der, passphrase: nil).certificate == identity.certificate)
        #expect(try SigningIdentity(pkcs12: der, passphrase: "").certificate == identity.certificate)
        let file = try fixtures.document()
        let signed = try runVanThu(["sign", file.path, "--p12", p12])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(try fixtures.opensslVerifies(signature: file.path + ".p7s", content: file.path))
    }

    // MARK: - Iteration counts

    /// Replaces every INTEGER 65793 (02 03 01 01 01) by `to`, three bytes (default 8388607, 7f ff ff).
    static func raisingIterations(_ bytes: [UInt8], to: [UInt8] = [0x7f, 0xff, 0xff]) -> [UInt8] {
        var out = bytes
        var index = 0
        var replaced = 0
        while index + 5 <= out.count {
            if Array(out[index..<index + 5]) == [0x02, 0x03, 0x01, 0x01, 0x01] {
                out.replaceSubrange(index + 2..<index + 5, with: to)
                replaced += 1
            }
            index += 1
        }
        precondition(replaced > 0, "no iteration count to raise")
        return out
    }

    @Test(arguments: [["-certpbe", "NONE"], ["-keypbe", "NONE", "-certpbe", "AES-256-CBC"]])
    func hostileIterationCountsInAP12AreRefused(options: [String]) throws {
        let fixtures = try KeysFixtures("p12-iter")
        let p12 = fixtures.path("iter.p12")
        try export("hung.nv", certfile: pki.issuingCA, to: p12, extra: ["-iter", "65793", "-nomac"] + options)   // -iter before -nomac, which it would undo
        let patched = Self.raisingIterations(try bytes(URL(fileURLWithPath: p12)))
        try Data(patched).write(to: URL(fileURLWithPath: p12))
        let started = Date()
        #expect(throws: SigningError(.malformedInput, "The PKCS#12 file asks for 8388607 key-derivation iterations, more than the 2000000 VanThu accepts.")) {
            try SigningIdentity(pkcs12File: p12, passphrase: .literal(TestPKI.passphrase))
        }
        #expect(Date().timeIntervalSince(started) < 1)
        let file = try fixtures.document()
        let refused = try runVanThu(["sign", file.path, "--p12", p12, "--passphrase", "pass:\(TestPKI.passphrase)"])
        #expect(refused.status == 3)
        #expect(refused.stderr == "vanthu: The PKCS#12 file asks for 8388607 key-derivation iterations, more than the 2000000 VanThu accepts.\n")
        #expect(!FileManager.default.fileExists(atPath: file.path + ".p7s"))
    }

    /// Each count within the limit, three of them at 1,500,000 (MAC, encrypted certificate safe,
    /// shrouded key bag): 4,500,000 in all, more than the total accepted, refused before any is done.
    @Test func totalKeyDerivationWorkOfAP12IsBounded() throws {
        let fixtures = try KeysFixtures("p12-total")
        let identity = try pki.identity("hung.nv")
        let der: [UInt8] = try withCertificateStack([try Certificate.load(contentsOf: pki.issuingCA)[0]]) { stack in
            guard let p12 = PKCS12_create(TestPKI.passphrase, "hung.nv", identity.privateKey.backing.pointer,
                                          identity.certificate.backing.pointer, stack, 0, 0, 65793, 65793, 0) else {
                throw TestFailure("PKCS12_create failed")
            }
            defer { PKCS12_free(p12) }
            guard let der = encodeDER({ i2d_PKCS12(p12, $0) }) else { throw TestFailure("i2d_PKCS12 failed") }
            return der
        }
        let p12 = fixtures.path("total.p12")
        try Data(Self.raisingIterations(der, to: [0x16, 0xe3, 0x60])).write(to: URL(fileURLWithPath: p12))
        let sentence = "The PKCS#12 file asks for more key-derivation iterations in all than the 4000000 VanThu accepts."
        let started = Date()
        #expect(throws: SigningError(.malformedInput, sentence)) {
            try SigningIdentity(pkcs12File: p12, passphrase: .literal(TestPKI.passphrase))
        }
        #expect(Date().timeIntervalSince(started) < 1)
        let file = try fixtures.document()
        let refused = try runVanThu(["sign", file.path, "--p12", p12, "--passphrase", "pass:\(TestPKI.passphrase)"])
        #expect(refused.status == 3)
        #expect(refused.stderr == "vanthu: \(sentence)\n")
        #expect(!FileManager.default.fileExists(atPath: file.path + ".p7s"))
    }

    // MARK: - Nested bags

    private static func der(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        guard content.count >= 128 else { return [tag, UInt8(content.count)] + content }
        var length: [UInt8] = []
        var count = content.count
        while count > 0 { length.insert(UInt8(count & 0xff), at: 0); count >>= 8 }
        return [tag, 0x80 | UInt8(length.count)] + length + content
    }

    private static func sequence(_ parts: [UInt8]...) -> [UInt8] { der(0x30, parts.flatMap { $0 }) }
    private static let pkcs12BagType: [UInt8] = [0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01]
    private static let data: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]

    /// A MAC-less PKCS#12 file with a shrouded key bag inside `depth` nested safeContentsBags
    /// and the certificate beside them, both with localKeyID 01020304 (as `nest.py` builds it).
    private func nestedP12(depth: Int, encryptedKey: [UInt8], certificate: [UInt8]) -> [UInt8] {
        let attributes = Self.der(0x31, Self.sequence([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x15],
                                                      Self.der(0x31, Self.der(0x04, [1, 2, 3, 4]))))
        var bag = Self.sequence(Self.pkcs12BagType + [0x02], Self.der(0xa0, encryptedKey), attributes)
        for _ in 0..<depth {
            bag = Self.sequence(Self.pkcs12BagType + [0x06], Self.der(0xa0, Self.sequence(bag)))
        }
        let certBag = Self.sequence(Self.pkcs12BagType + [0x03],
                                    Self.der(0xa0, Self.sequence([0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16, 0x01],
                                                                 Self.der(0xa0, Self.der(0x04, certificate)))),
                                    attributes)
        let safe = Self.sequence(Self.data, Self.der(0xa0, Self.der(0x04, Self.sequence(bag, certBag))))
        return Self.sequence([0x02, 0x01, 0x03], Self.sequence(Self.data, Self.der(0xa0, Self.der(0x04, Self.sequence(safe)))))
    }

    /// PKCS12_parse decrypts a key bag at any depth: one nested deeper than the limit is refused
    /// (its iteration count, 8388607, is never looked at); one at the limit opens.
    @Test func keyBagsNestedDeeperThanTheLimitAreRefused() throws {
        let fixtures = try KeysFixtures("p12-nest")
        let encrypted = fixtures.path("key.der")
        try openssl(["pkcs8", "-topk8", "-in", pki.key("hung.nv"), "-v2", "aes-256-cbc", "-iter", "65793",
                     "-passout", "pass:\(TestPKI.passphrase)", "-outform", "DER", "-out", encrypted])
        let key = try bytes(URL(fileURLWithPath: encrypted))
        let certificate = try Certificate.load(contentsOf: pki.cert("hung.nv"))[0]

        let atLimit = nestedP12(depth: 8, encryptedKey: key, certificate: certificate.der)
        #expect(try SigningIdentity(pkcs12: atLimit, passphrase: TestPKI.passphrase).certificate == certificate)

        let deeper = fixtures.path("deeper.p12")
        try Data(nestedP12(depth: 9, encryptedKey: Self.raisingIterations(key), certificate: certificate.der))
            .write(to: URL(fileURLWithPath: deeper))
        let sentence = "The PKCS#12 file nests its bags more than 8 levels deep, which VanThu does not accept."
        let started = Date()
        #expect(throws: SigningError(.malformedInput, sentence)) {
            try SigningIdentity(pkcs12File: deeper, passphrase: .literal(TestPKI.passphrase))
        }
        #expect(Date().timeIntervalSince(started) < 1)
        let file = try fixtures.document()
        let refused = try runVanThu(["sign", file.path, "--p12", deeper, "--passphrase", "pass:\(TestPKI.passphrase)"])
        #expect(refused.status == 3)
        #expect(refused.stderr == "vanthu: \(sentence)\n")
        #expect(!FileManager.default.fileExists(atPath: file.path + ".p7s"))
    }
}
