import Foundation
import Testing
@testable import VanThuSigning

@Suite struct SigningTests {
    let pki = TestPKI.shared

    private func document(_ text: String = "Quyết định số 12/QĐ-SGDĐT về việc khen thưởng") throws -> URL {
        let url = try temporaryDirectory("doc").appendingPathComponent("van-ban.txt")
        try write(text, to: url)
        return url
    }

    private func validate(_ signature: [UInt8], _ file: URL, store: TrustStore? = nil) async throws -> ValidationReport {
        try await SignatureValidator(trustStore: store ?? pki.trustStore()).validate(signature: signature, contentAt: file.path)
    }

    @Test func pkcs12SignatureIsCAdESBBAndPasses() async throws {
        let file = try document()
        let signature = try await CAdESSigner(identity: pki.identity("hung.nv")).sign(fileAt: file.path)
        let report = try await validate(signature, file)
        #expect(report.indication == .totalPassed)
        #expect(report.signatures.first?.format == .cades)
        let signer = try #require(report.signatures.first?.signer)
        #expect(signer.commonName == "Nguyễn Văn Hùng")
        #expect(signer.subjectAttributes.contains { $0.type == "O" && $0.value == "Sở Giáo dục và Đào tạo tỉnh Thanh Hóa" })
        // The four CAdES-B-B signed attributes, as OpenSSL itself prints them.
        let sigURL = file.appendingPathExtension("p7s")
        try Data(signature).write(to: sigURL)
        let printed = try openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", sigURL.path]).output
        for attribute in ["contentType", "messageDigest", "signingTime", "id-smime-aa-signingCertificateV2"] {
            #expect(printed.contains("object: \(attribute)"), "missing \(attribute)")
        }
        // Signer and issuing CA embedded.
        #expect(printed.contains("UID=hung.nv"))
        #expect(printed.contains("VanThu Dev CA"))
    }

    /// Names typed on systems that store Vietnamese decomposed (NFD) read back in NFC, from a
    /// UTF8String and from a BMPString, so that reports and comparisons see one spelling.
    @Test(arguments: ["utf8only", "pkix"])  // UTF8String; BMPString
    func decomposedSubjectNamesReadBackInNFC(stringMask: String) throws {
        let directory = try temporaryDirectory("nfd")
        let nfc = "Trường Tiểu học Nguyễn Huệ"
        let nfd = nfc.decomposedStringWithCanonicalMapping
        #expect(Array(nfd.utf8) != Array(nfc.utf8))
        let config = directory.appendingPathComponent("req.cnf"), key = directory.appendingPathComponent("k.pem").path
        let cert = directory.appendingPathComponent("c.pem").path
        try write("[req]\ndistinguished_name = dn\nstring_mask = \(stringMask)\nutf8 = yes\nprompt = no\n[dn]\nCN = x\n", to: config)
        _ = try openssl(["req", "-x509", "-config", config.path, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                         "-nodes", "-subj", "/O=\(nfd)/CN=\(nfd)", "-days", "1", "-keyout", key, "-out", cert])
        let parsed = try openssl(["asn1parse", "-in", cert]).output
        #expect(parsed.contains(stringMask == "pkix" ? "prim: BMPSTRING" : "prim: UTF8STRING"))
        let certificate = try Certificate(pem: String(contentsOfFile: cert, encoding: .utf8))
        #expect(Array((certificate.subject.commonName ?? "").utf8) == Array(nfc.utf8))
        #expect(Array((certificate.subject.organization ?? "").utf8) == Array(nfc.utf8))
    }

    /// PKCS#12 files exported by older Windows tools protect the certificate with RC2-40 and
    /// the key with 3DES, which only OpenSSL's legacy provider reads.
    @Test func legacyRC2PKCS12Signs() async throws {
        let directory = try temporaryDirectory("legacy")
        let p12 = directory.appendingPathComponent("old.p12").path
        _ = try openssl(["pkcs12", "-export", "-legacy", "-inkey", pki.key("hung.nv"), "-in", pki.cert("hung.nv"),
                         "-certfile", pki.issuingCA, "-out", p12, "-passout", "pass:cu-2009"])
        let printed = try openssl(["pkcs12", "-info", "-legacy", "-in", p12, "-passin", "pass:cu-2009", "-noout"]).stderr
        #expect(printed.contains("RC2"))
        let identity = try SigningIdentity(pkcs12File: p12, passphrase: .literal("cu-2009"))
        let file = try document()
        let report = try await validate(try await CAdESSigner(identity: identity).sign(fileAt: file.path), file)
        #expect(report.indication == .totalPassed)
    }

    @Test func pemKeyAndCertificateWithChainFile() async throws {
        let identity = try SigningIdentity(keyFile: pki.key("lan.tt"), certificateFile: pki.cert("lan.tt"), chainFile: pki.issuingCA)
        #expect(identity.chain.count == 1)
        let file = try document()
        let report = try await validate(try await CAdESSigner(identity: identity).sign(fileAt: file.path), file)
        #expect(report.indication == .totalPassed)
    }

    @Test(arguments: ["PEM", "DER"])
    func encryptedPKCS8Key(encoding: String) async throws {
        let dir = try temporaryDirectory("pkcs8")
        let keyPath = dir.appendingPathComponent("key.\(encoding.lowercased())").path
        try openssl(["pkcs8", "-topk8", "-in", pki.key("huy.lq"), "-outform", encoding, "-out", keyPath,
                     "-v2", "aes-256-cbc", "-passout", "env:KEYPASS"], environment: ["KEYPASS": "mật khẩu dài"])
        #expect(throws: SigningError.self) { try PrivateKey(contentsOf: keyPath) }
        do {
            _ = try PrivateKey(contentsOf: keyPath)
        } catch let error as SigningError {
            #expect(error.code == .passphraseRequired)
        }
        do {
            _ = try PrivateKey(contentsOf: keyPath, passphrase: .literal("sai"))
            Issue.record("a wrong passphrase opened the key")
        } catch let error as SigningError {
            #expect(error.code == .wrongPassphrase)
            #expect(error.message == "The passphrase does not decrypt the private key.")
        }
        let key = try PrivateKey(contentsOf: keyPath, passphrase: .literal("mật khẩu dài"))
        let identity = try SigningIdentity(privateKey: key, certificate: Certificate.load(contentsOf: pki.cert("huy.lq"))[0],
                                           chain: Certificate.load(contentsOf: pki.issuingCA))
        let file = try document()
        #expect(try await validate(try await CAdESSigner(identity: identity).sign(fileAt: file.path), file).indication == .totalPassed)
    }

    @Test(arguments: [DigestAlgorithm.sha256, .sha384, .sha512], [RSASignaturePadding.pkcs1v15, .pss])
    func rsaDigestsAndPaddings(digest: DigestAlgorithm, padding: RSASignaturePadding) async throws {
        let file = try document()
        let signer = CAdESSigner(identity: try pki.identity("huong.pt"), digestAlgorithm: digest, rsaPadding: padding)
        let signature = try await signer.sign(fileAt: file.path)
        let report = try await validate(signature, file)
        #expect(report.indication == .totalPassed)
        let reported = try #require(report.signatures.first)
        #expect(reported.digestAlgorithm == digest.rawValue)
        #expect(reported.signatureAlgorithm?.hasPrefix(padding == .pss ? "RSASSA-PSS" : "RSASSA-PKCS1-v1_5") == true)
        // OpenSSL's own verifier agrees.
        let sigURL = file.appendingPathExtension("p7s")
        try Data(signature).write(to: sigURL)
        try openssl(["cms", "-verify", "-binary", "-inform", "DER", "-in", sigURL.path, "-content", file.path,
                     "-CAfile", pki.rootCertificate, "-out", "/dev/null"])
    }

    /// PAdES signatures carry no signingTime; OpenSSL adds one on its own, so the signer removes it and
    /// signs the attributes itself: checked for every key type and padding, by us and by `openssl cms`.
    @Test(arguments: ["rsa-pkcs1", "rsa-pss", "ec256", "ec384"])
    func withoutSigningTime(kind: String) async throws {
        let file = try document()
        let identity = try kind.hasPrefix("rsa") ? pki.identity("lan.tt") : pki.fixtureIdentity(kind)
        let digest: DigestAlgorithm = kind == "ec384" ? .sha384 : .sha256
        let signer = CAdESSigner(identity: identity, digestAlgorithm: digest, rsaPadding: kind == "rsa-pss" ? .pss : .pkcs1v15,
                                 includeSigningTime: false)
        let signature = try await signer.sign(fileAt: file.path)
        let report = try await validate(signature, file)
        #expect(report.indication == .totalPassed, "\(report.text)")
        let reported = try #require(report.signatures.first)
        #expect(reported.claimedSigningTime == nil)
        #expect(reported.checks.contains { $0.id == "signing-time" && $0.result == .warning })
        let sigURL = file.appendingPathExtension("p7s")
        try Data(signature).write(to: sigURL)
        try openssl(["cms", "-verify", "-binary", "-inform", "DER", "-in", sigURL.path, "-content", file.path,
                     "-CAfile", pki.rootCertificate, "-out", "/dev/null"])
    }

    @Test(arguments: ["ec256", "ec384", "rsa2048"])
    func otherKeyTypes(fixture: String) async throws {
        let file = try document()
        let identity = try pki.fixtureIdentity(fixture)
        let signature = try await CAdESSigner(identity: identity, digestAlgorithm: fixture == "ec384" ? .sha384 : .sha256)
            .sign(fileAt: file.path)
        let report = try await validate(signature, file)
        #expect(report.indication == .totalPassed, "\(report.text)")
        if fixture.hasPrefix("ec") {
            #expect(report.signatures.first?.signatureAlgorithm == "ECDSA (EC P-\(fixture.dropFirst(2)))")
        }
    }

    @Test func precomputedDigestMatchesFileSigningAndChunkValidation() async throws {
        let identity = try pki.identity("mai.dt")
        let pieces: [[UInt8]] = [Array("%PDF-1.7 first byte range ".utf8), Array("second byte range %%EOF".utf8)]
        var digest = StreamingDigest(.sha256)
        for piece in pieces { digest.update(piece) }
        let signingTime = Date()
        let signature = try CAdESSigner(identity: identity)
            .sign(messageDigest: digest.finalize(), digestAlgorithm: .sha256, signingTime: signingTime)
        let validator = SignatureValidator(trustStore: try pki.trustStore())
        let report = try await validator.validate(signature: signature, contentChunks: AsyncChunks(pieces), format: .pades)
        #expect(report.indication == .totalPassed, "\(report.text)")
        #expect(report.signatures.first?.format == .pades)
        let claimed = try #require(report.signatures.first?.claimedSigningTime)
        #expect(abs(claimed.timeIntervalSince(signingTime)) < 1)
        let changed = validator.validateSynchronously(signature: signature, contentChunks: [pieces[0], Array("second byte range %%EOF!".utf8)])
        #expect(changed.subIndication == .hashFailure)
        let fromChunks = try await CAdESSigner(identity: identity).sign(contentChunks: AsyncChunks(pieces))
        #expect(validator.validateSynchronously(signature: fromChunks, contentChunks: pieces).indication == .totalPassed)
    }

    @Test func largeChunksAreHashedOnThePool() async throws {
        let identity = try pki.identity("thu.nt")
        let pieces: [[UInt8]] = [[UInt8](repeating: 0x25, count: 300_000), Array("tail".utf8), [UInt8](repeating: 7, count: 70_000)]
        let signature = try await CAdESSigner(identity: identity, digestAlgorithm: .sha384).sign(contentChunks: AsyncChunks(pieces))
        let validator = SignatureValidator(trustStore: try pki.trustStore())
        #expect(try await validator.validate(signature: signature, contentChunks: AsyncChunks(pieces)).indication == .totalPassed)
        let file = try temporaryDirectory("chunks").appendingPathComponent("whole.bin")
        try Data(pieces.flatMap { $0 }).write(to: file)
        #expect(try await validator.validate(signature: signature, contentAt: file.path).indication == .totalPassed)
        let shorter = AsyncChunks([pieces[0], pieces[1]])
        #expect(try await validator.validate(signature: signature, contentChunks: shorter).subIndication == .hashFailure)
    }

    @Test func pemBundleWithTextBeforeTheBlocks() throws {
        let pem = try String(contentsOfFile: pki.cert("hung.nv"), encoding: .utf8)
        let chain = try String(contentsOfFile: pki.issuingCA, encoding: .utf8)
        let text = "Bag Attributes\n    friendlyName: hung.nv\nsubject=CN = Nguyễn Văn Hùng\n" + pem + "Bag Attributes: <No Attributes>\n" + chain
        let certificates = try Certificate.parseAll(Array(text.utf8))
        #expect(certificates.map { $0.subject.commonName } == ["Nguyễn Văn Hùng", "VanThu Dev CA phục vụ các cơ quan Nhà nước"])
        #expect(try Certificate(der: certificates[0].der) == certificates[0])
    }

    @Test func digestOfWrongLengthIsRefused() throws {
        let signer = CAdESSigner(identity: try pki.identity("mai.dt"))
        #expect(throws: SigningError(.invalidDigest, "A SHA-384 digest has 48 bytes, not 32.")) {
            try signer.sign(messageDigest: [UInt8](repeating: 1, count: 32), digestAlgorithm: .sha384)
        }
    }

    @Test func keyOfAnotherCertificateIsRefused() throws {
        #expect(throws: SigningError.self) {
            try SigningIdentity(keyFile: pki.key("hung.nv"), certificateFile: pki.cert("lan.tt"))
        }
        do {
            _ = try SigningIdentity(keyFile: pki.key("hung.nv"), certificateFile: pki.cert("lan.tt"))
        } catch let error as SigningError {
            #expect(error.code == .keyMismatch)
            #expect(error.message == "The private key does not belong to the certificate of Trần Thị Lan.")
        }
    }

    @Test func weakRSAKeyIsNotUsedForSigning() throws {
        do {
            _ = try pki.fixtureIdentity("rsa1024")
            Issue.record("a 1024-bit key was accepted")
        } catch let error as SigningError {
            #expect(error.code == .unsupportedAlgorithm)
        }
    }

    @Test func largeFileIsHashedAsAStream() async throws {
        let url = try temporaryDirectory("large").appendingPathComponent("big.bin")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        let block = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        for _ in 0..<24 { handle.write(block) }
        try handle.close()
        let ours = try StreamingDigest.hash(fileAt: url.path).hexString
        let theirs = try openssl(["dgst", "-sha256", "-r", url.path]).output.prefix(64)
        #expect(ours == String(theirs))
    }
}

/// An async sequence of byte chunks, as the PDF verifier hands over /ByteRange pieces.
struct AsyncChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let chunks: [[UInt8]]
    init(_ chunks: [[UInt8]]) { self.chunks = chunks }
    struct AsyncIterator: AsyncIteratorProtocol {
        var index = 0
        let chunks: [[UInt8]]
        mutating func next() async -> [UInt8]? {
            guard index < chunks.count else { return nil }
            defer { index += 1 }
            return chunks[index]
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: chunks) }
}
