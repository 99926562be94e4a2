import COpenSSL
import Foundation
import Testing
@testable import VanThuSigning

/// The signature value checked with a cached EVP_DigestVerify context over the signed attributes
/// as encoded, judged against OpenSSL's own `CMS_SignerInfo_verify` on intact and damaged signatures.
@Suite struct SignatureValueVerificationTests {
    let pki = TestPKI.shared
    let content = Array("Thông báo số 15/TB-SGDĐT về lịch kiểm tra cuối học kỳ".utf8)

    /// Our verdict and OpenSSL's for the first signer of `signature`, or nil when it does not parse.
    private func verdicts(_ signature: [UInt8], store: TrustStore) throws -> (ours: Bool, openssl: Bool, fast: Bool)? {
        guard case .success(let parsed) = CMSParsing.parse(signature, certificate: { store.storage.certificate(der: $0) }) else {
            return nil
        }
        let candidates = parsed.embedded ?? []
        _ = try withCertificateStack(candidates + store.storage.intermediates) { CMS_set1_signers_certs(parsed.cms.pointer, $0, 0) }
        OpenSSLErrorQueue.clear()
        let signer = try #require(vt_sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(parsed.cms.pointer), 0))
        var x509: OpaquePointer?
        CMS_SignerInfo_get0_algs(signer, nil, &x509, nil, nil)
        let certificate = try #require(x509.flatMap { store.storage.certificate(for: $0) })
        let ours = SignatureValueVerification.verify(signer, certificate: certificate, digestNID: CMSParsing.digestNID(signer),
                                                     signedAttributes: parsed.signedAttributes(of: 0), storage: store.storage)
        let openssl = CMS_SignerInfo_verify(signer) == 1
        OpenSSLErrorQueue.clear()
        return (ours, openssl, parsed.signedAttributes(of: 0) != nil)
    }

    @Test(arguments: ["rsa-pkcs1-sha256", "rsa-pkcs1-sha512", "rsa-pss-sha384", "ec256-sha256", "ec384-sha384"])
    func agreesWithOpenSSLOnIntactAndDamagedSignatures(kind: String) throws {
        let identity = kind.hasPrefix("ec") ? try pki.fixtureIdentity(String(kind.prefix(5))) : try pki.identity("hung.nv")
        let digest: DigestAlgorithm = kind.hasSuffix("512") ? .sha512 : kind.hasSuffix("384") ? .sha384 : .sha256
        let signer = CAdESSigner(identity: identity, digestAlgorithm: digest, rsaPadding: kind.contains("pss") ? .pss : .pkcs1v15)
        let signature = try signer.sign(messageDigest: StreamingDigest.hash(content, algorithm: digest))
        let store = try pki.trustStore()

        let intact = try #require(try verdicts(signature, store: store))
        #expect(intact.ours && intact.openssl)
        #expect(intact.fast)

        // Every byte of the signed attributes and of the signature value, damaged one at a time
        // (a sample of positions, to keep the test quick): both verdicts must agree.
        let split = try #require(CertificateBagSplitting.split(signature))
        let stripped = split.signedDataWithoutCertificates
        let regions = try #require(signedAttributesAlgorithmAndValue(stripped))
        var compared = 0
        for position in stride(from: regions.attributes.lowerBound, to: regions.value.upperBound, by: 5) {
            var damaged = signature
            let offset = try #require(offsetInOriginal(position, stripped: stripped, original: signature))
            damaged[offset] ^= 0x01
            guard let verdict = try verdicts(damaged, store: store) else { continue }
            #expect(verdict.ours == verdict.openssl, "byte \(offset): ours \(verdict.ours), OpenSSL \(verdict.openssl)")
            // The signatureAlgorithm field is not signed (OpenSSL takes the digest from
            // digestAlgorithm), so only damage to the attributes or the value must be refused.
            if !regions.algorithm.contains(position) { #expect(!verdict.ours, "byte \(offset) damaged and accepted") }
            compared += 1
        }
        #expect(compared > 20)
    }

    /// A signing time attribute given twice, signed with the right key: OpenSSL refuses it
    /// (RFC 5652 §11.3 allows one), and so must the faster path.
    @Test func duplicateSigningTimeIsRefusedLikeOpenSSL() throws {
        let identity = try pki.identity("hung.nv")
        let digest = StreamingDigest.hash(content)
        let template = try #require(SignatureTemplateTestAccess.template(identity))
        let time = SignatureTemplate.attribute(SignatureTemplate.signingTimeOID, value: SignatureTemplate.encodeTime(Date()))
        let signature = try template.sign(messageDigest: digest, signingTime: Date(), extraAttributes: [time])
        let verdict = try #require(try verdicts(signature, store: pki.trustStore()))
        #expect(!verdict.openssl)
        #expect(verdict.ours == verdict.openssl)
    }

    @Test func contextIsMadeOncePerCertificateAndDigest() throws {
        let identity = try pki.fixtureIdentity("ec256")
        let store = try pki.trustStore()
        let signature = try CAdESSigner(identity: identity).sign(messageDigest: StreamingDigest.hash(content))
        for _ in 0..<3 { #expect(try verdicts(signature, store: store)?.ours == true) }
        let key = VerificationContextKey(fingerprint: identity.certificate.sha256Fingerprint, digestNID: NID_sha256)
        #expect(store.storage.verificationContexts.withLock { $0[key] } != nil)
        #expect(store.storage.verificationContexts.withLock { $0.count } == 1)
    }

    /// Where the signer's signed attributes, signatureAlgorithm and signature value lie.
    private func signedAttributesAlgorithmAndValue(_ der: [UInt8]) -> (attributes: Range<Int>, algorithm: Range<Int>, value: Range<Int>)? {
        guard let contentInfo = DER.element(der, at: 0, end: der.count),
              let outer = DER.children(der, of: contentInfo.value), outer.count == 2,
              let explicit = DER.children(der, of: outer[1].value), explicit.count == 1,
              let fields = DER.children(der, of: explicit[0].value), let infos = fields.last,
              let signers = DER.children(der, of: infos.value), let first = signers.first,
              let parts = DER.children(der, of: first.value), parts.count >= 6 else { return nil }
        return (parts[3].whole, parts[4].whole, parts[5].whole)
    }

    /// The signer info sits at the end of the structure, after the certificates that splitting removes.
    private func offsetInOriginal(_ position: Int, stripped: [UInt8], original: [UInt8]) -> Int? {
        let fromEnd = stripped.count - position
        return fromEnd <= original.count ? original.count - fromEnd : nil
    }
}

enum SignatureTemplateTestAccess {
    static func template(_ identity: SigningIdentity) -> SignatureTemplate? {
        let configuration = SignatureTemplate.Configuration(digest: .sha256, padding: .pkcs1v15, includeSigningTime: true)
        _ = try? CAdESSigner(identity: identity).sign(messageDigest: [UInt8](repeating: 1, count: 32))
        return identity.signatureTemplates.template(for: configuration) { nil }
    }
}
