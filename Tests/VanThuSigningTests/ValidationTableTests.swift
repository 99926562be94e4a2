import Foundation
import Testing
@testable import VanThuSigning

/// One test per row of the table (ETSI EN 319 102-1 indications), with real
/// certificates from the dev PKI and real OpenSSL.
@Suite struct ValidationTableTests {
    let pki = TestPKI.shared

    private func signedDocument(_ identity: SigningIdentity, signingTime: Date = Date(),
                                digest: DigestAlgorithm = .sha256) throws -> (URL, [UInt8]) {
        let file = try temporaryDirectory("row").appendingPathComponent("cong-van.txt")
        try write("Công văn số 05/SGDĐT-VP về kế hoạch năm học 2026–2027", to: file)
        let signature = try CAdESSigner(identity: identity, digestAlgorithm: digest)
            .signSynchronously(fileAt: file.path, signingTime: signingTime)
        return (file, signature)
    }

    private func validate(_ signature: [UInt8], _ file: URL, store: TrustStore? = nil, policy: ValidationPolicy = .default,
                          at time: Date = Date()) throws -> SignatureReport {
        let report = try SignatureValidator(trustStore: store ?? pki.trustStore(), policy: policy)
            .validateSynchronously(signature: signature, contentAt: file.path, at: time)
        return try #require(report.signatures.first)
    }

    private func check(_ report: SignatureReport, _ id: String) -> ValidationCheck? { report.checks.first { $0.id == id } }

    @Test func intactTrustedValidUnrevokedPasses() throws {
        let (file, signature) = try signedDocument(pki.identity("thang.bd"))
        let report = try validate(signature, file, policy: .strict)
        #expect(report.indication == .totalPassed)
        #expect(report.subIndication == nil)
        #expect(report.checks.allSatisfy { $0.result == .passed }, "\(report.checks)")
        #expect(report.chain.map(\.commonName) == ["Bùi Đức Thắng", "VanThu Dev CA phục vụ các cơ quan Nhà nước", "VanThu Dev Root CA"])
        #expect(report.chain.last?.isTrustAnchor == true)
        #expect(report.revocation.map(\.status) == [.good, .good])
    }

    @Test func changedContentIsHashFailure() throws {
        let (file, signature) = try signedDocument(pki.identity("hung.nv"))
        try write("Công văn số 05/SGDĐT-VP về kế hoạch năm học 2026–2028", to: file)
        let report = try validate(signature, file)
        #expect(report.indication == .totalFailed)
        #expect(report.subIndication == .hashFailure)
        #expect(check(report, "message-digest")?.reason == "The document differs from what was signed: its SHA-256 digest does not match the signed messageDigest.")
    }

    @Test func tamperedSignedAttributeIsSigCryptoFailure() throws {
        let (file, original) = try signedDocument(pki.identity("hung.nv"))
        var signature = original
        // Change one digit of the UTCTime inside the signingTime attribute: still valid DER.
        let oid: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05]
        let start = try #require(signature.firstRange(of: oid)).upperBound
        let time = try #require(signature[start...].firstIndex(of: 0x17))
        let digit = time + 2 + 11   // seconds' units digit of YYMMDDHHMMSSZ
        signature[digit] = signature[digit] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        let report = try validate(signature, file)
        #expect(report.indication == .totalFailed)
        #expect(report.subIndication == .sigCryptoFailure)
    }

    @Test func signatureValueOfAnotherKeyIsSigCryptoFailure() throws {
        let (file, hung) = try signedDocument(pki.identity("hung.nv"))
        let lan = try CAdESSigner(identity: pki.identity("lan.tt")).signSynchronously(fileAt: file.path)
        // Both are RSA-3072: the signature value is the last 384 bytes of each.
        let transplanted = Array(hung.dropLast(384)) + Array(lan.suffix(384))
        let report = try validate(transplanted, file)
        #expect(report.indication == .totalFailed)
        #expect(report.subIndication == .sigCryptoFailure)
        #expect(check(report, "signature-value")?.result == .failed)
    }

    @Test func signingTimeBeforeNotBeforeIsNotYetValid() throws {
        let identity = try pki.identity("huy.lq")
        let (file, signature) = try signedDocument(identity, signingTime: identity.certificate.notBefore.addingTimeInterval(-3600))
        let report = try validate(signature, file)
        #expect(report.indication == .totalFailed)
        #expect(report.subIndication == .notYetValid)
    }

    @Test func revokedSignerIsRevokedNoPOE() throws {
        let (file, signature) = try signedDocument(pki.identity("tung.dv"))
        let report = try validate(signature, file)
        #expect(report.indication == .indeterminate)
        #expect(report.subIndication == .revokedNoPOE)
        let status = try #require(report.revocation.first)
        #expect(status.status == .revoked)
        #expect(status.revocationReason == "superseded")
    }

    @Test func validationTimeDecidesRevocation() throws {
        let identity = try pki.fixtureIdentity("revoked-2024")
        let (file, signature) = try signedDocument(identity, signingTime: date("2023-06-01T09:00:00+07:00"))
        let before = try validate(signature, file, at: date("2023-12-01T00:00:00+07:00"))
        #expect(before.indication == .totalPassed, "\(before.checks)")
        #expect(before.revocation.first?.status == .good)
        let after = try validate(signature, file)
        #expect(after.subIndication == .revokedNoPOE)
        #expect(after.revocation.first?.revocationReason == "keyCompromise")
    }

    @Test func untrustedRootIsNoCertificateChainFound() throws {
        let (file, signature) = try signedDocument(pki.identity("nam.hv"))
        let store = try TrustStore(anchors: Certificate.load(contentsOf: pki.fixtureCert("other-root")))
        let report = try validate(signature, file, store: store)
        #expect(report.indication == .indeterminate)
        #expect(report.subIndication == .noCertificateChainFound)
        #expect(check(report, "revocation") == nil)
    }

    @Test func expiredCertificateIsOutOfBoundsNoPOE() throws {
        let identity = try pki.fixtureIdentity("expired")
        let (file, signature) = try signedDocument(identity, signingTime: date("2020-06-01T09:00:00+07:00"))
        let report = try validate(signature, file)
        #expect(report.indication == .indeterminate)
        #expect(report.subIndication == .outOfBoundsNoPOE)
        // The same signature validated while the certificate was valid passes.
        let then = try validate(signature, file, at: date("2020-07-01T00:00:00+07:00"))
        #expect(then.indication == .totalPassed, "\(then.checks)")
    }

    @Test func validationAfterExpiryWithAtIsOutOfBounds() throws {
        let (file, signature) = try signedDocument(pki.identity("hoa.vt"))
        let report = try validate(signature, file, at: date("2031-01-01T00:00:00+07:00"))
        #expect(report.subIndication == .outOfBoundsNoPOE)
    }

    @Test func keyUsageWithoutSigningIsChainConstraintsFailure() throws {
        let (file, signature) = try signedDocument(pki.fixtureIdentity("encipher-only"))
        let report = try validate(signature, file)
        #expect(report.indication == .indeterminate)
        #expect(report.subIndication == .chainConstraintsFailure)
        #expect(check(report, "key-usage")?.reason == "The certificate's key usage (keyEncipherment) has neither digitalSignature nor nonRepudiation.")
    }

    @Test func certificateIssuedByNonCAIsChainConstraintsFailure() throws {
        let identity = try SigningIdentity(keyFile: pki.fixtureKey("under-fake-ca"), certificateFile: pki.fixtureCert("under-fake-ca"),
                                           chainFile: pki.fixtureCert("fake-ca"))
        let (file, signature) = try signedDocument(identity)
        let report = try validate(signature, file, store: pki.trustStore(withIntermediate: true))
        #expect(report.indication == .indeterminate)
        #expect(report.subIndication == .chainConstraintsFailure)
        #expect(check(report, "certificate-chain")?.result == .failed)
    }

    @Test func sha1SignedCertificateIsCryptoConstraintsFailure() throws {
        let (file, signature) = try signedDocument(pki.fixtureIdentity("sha1-cert"))
        let report = try validate(signature, file)
        #expect(report.indication == .indeterminate)
        #expect(report.subIndication == .cryptoConstraintsFailure)
        #expect(check(report, "cryptographic-constraints")?.reason.contains("is signed with SHA1") == true)
    }

    @Test func sha1DigestMadeByOpenSSLIsCryptoConstraintsFailure() throws {
        let dir = try temporaryDirectory("sha1")
        let file = dir.appendingPathComponent("a.txt")
        try write("Báo cáo", to: file)
        let sig = dir.appendingPathComponent("a.p7s")
        try openssl(["cms", "-sign", "-binary", "-md", "sha1", "-in", file.path, "-signer", pki.cert("lan.tt"),
                     "-inkey", pki.key("lan.tt"), "-certfile", pki.issuingCA, "-outform", "DER", "-out", sig.path])
        let report = try validate(bytes(sig), file)
        #expect(report.subIndication == .cryptoConstraintsFailure)
        #expect(report.digestAlgorithm == "SHA-1")
    }

    @Test func rsa1024KeyIsCryptoConstraintsFailure() throws {
        let dir = try temporaryDirectory("rsa1024")
        let file = dir.appendingPathComponent("a.txt")
        try write("Tờ trình", to: file)
        let sig = dir.appendingPathComponent("a.p7s")
        try openssl(["cms", "-sign", "-binary", "-md", "sha256", "-in", file.path, "-signer", pki.fixtureCert("rsa1024"),
                     "-inkey", pki.fixtureKey("rsa1024"), "-certfile", pki.issuingCA, "-outform", "DER", "-out", sig.path])
        let report = try validate(bytes(sig), file)
        #expect(report.indication == .indeterminate)
        #expect(report.subIndication == .cryptoConstraintsFailure)
        #expect(check(report, "cryptographic-constraints")?.reason.contains("RSA key of 1024 bits") == true)
    }

    @Test func missingCRLWarnsByDefaultAndIsTryLaterWhenRequired() throws {
        let (file, signature) = try signedDocument(pki.identity("thu.nt"))
        let store = try TrustStore.load(trustPath: pki.rootCertificate)
        let lenient = try validate(signature, file, store: store)
        #expect(lenient.indication == .totalPassed)
        #expect(check(lenient, "revocation")?.result == .warning)
        #expect(lenient.revocation.map(\.status) == [.unknown, .unknown])
        let strict = try validate(signature, file, store: store, policy: .strict)
        #expect(strict.indication == .indeterminate)
        #expect(strict.subIndication == .tryLater)
        // CRLs given as files satisfy the strict policy.
        let withCRLs = try TrustStore.load(trustPath: pki.rootCertificate, crlFiles: [pki.issuingCRL, pki.path("root/root.crl.pem")])
        #expect(try validate(signature, file, store: withCRLs, policy: .strict).indication == .totalPassed)
    }

    @Test func staleCRLIsTryLaterUnderStrictPolicy() throws {
        let (file, signature) = try signedDocument(pki.identity("thu.nt"))
        let later = Date().addingTimeInterval(40 * 86_400)   // past the CRLs' 30-day nextUpdate
        let strict = try validate(signature, file, policy: .strict, at: later)
        #expect(strict.subIndication == .tryLater)
        #expect(check(strict, "revocation")?.reason.contains("expired on") == true)
        let lenient = try validate(signature, file, at: later)
        #expect(lenient.indication == .totalPassed)
    }

    @Test func crlWithBrokenSignatureIsIgnored() throws {
        var crl = try CertificateRevocationList.load(contentsOf: pki.issuingCRL)[0].der
        crl[crl.count - 1] ^= 0x55
        let store = try TrustStore(anchors: Certificate.load(contentsOf: pki.rootCertificate),
                                   crls: [CertificateRevocationList(der: crl)] + CertificateRevocationList.load(contentsOf: pki.path("root/root.crl.pem")))
        let (file, signature) = try signedDocument(pki.identity("tung.dv"))
        let report = try validate(signature, file, store: store, policy: .strict)
        // The revoked certificate is not seen as revoked: the forged CRL is not trusted, so data is missing.
        #expect(report.subIndication == .tryLater)
        #expect(report.revocation.first?.status == .unknown)
    }

    @Test func missingSigningCertificateIsNoSigningCertificateFound() throws {
        let dir = try temporaryDirectory("nocerts")
        let file = dir.appendingPathComponent("a.txt")
        try write("Giấy mời", to: file)
        let sig = dir.appendingPathComponent("a.p7s")
        try openssl(["cms", "-sign", "-binary", "-nocerts", "-md", "sha256", "-in", file.path, "-signer", pki.cert("hung.nv"),
                     "-inkey", pki.key("hung.nv"), "-outform", "DER", "-out", sig.path])
        let report = try validate(bytes(sig), file)
        #expect(report.subIndication == .noSigningCertificateFound)
        // Given as an untrusted certificate, it is found.
        let found = try SignatureValidator(trustStore: pki.trustStore(withIntermediate: true))
            .validateSynchronously(signature: bytes(sig), contentAt: file.path, untrusted: Certificate.load(contentsOf: pki.cert("hung.nv")))
        #expect(found.indication == .totalPassed)
    }
}

func date(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    return formatter.date(from: text)!
}
