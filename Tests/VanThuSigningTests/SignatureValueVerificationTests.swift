import COpenSSL
import Foundation
import Testing
@testable import VanThuSigning

/// The signature value checked with a cached EVP_DigestVerify context over the signed attributes
/// as encoded, judged against OpenSSL's own `CMS_SignerInfo_verify` on intact and damaged signatures.
@Suite struct SignatureValueVerificationTests {
    let pki = TestPKI.shared
    let content = Array("Thông báo số 15/TB-SGDĐT về lịch kiểm tra cuối học kỳ".utf8)

    /// Our verdict and OpenSSL's for the first signer of `signature`, or nil when we do not parse it.
    private func verdicts(_ signature: [UInt8], store: TrustStore) throws -> (ours: Bool, openssl: Bool, fast: Bool)? {
        guard case .success(let parsed) = CMSParsing.parse(signature, certificate: { store.storage.certificate(der: $0) }) else {
            return nil
        }
        let signer = try #require(parsed.signedData.signers.first)
        let candidates = parsed.embedded + store.storage.intermediates
        let certificate = try #require(SignerIdentification.certificates(for: signer.identifier, among: candidates).first)
        let ours = SignatureValueVerification.verify(signer, index: 0, in: parsed.signedData, certificate: certificate,
                                                     digestNID: signer.digestAlgorithm.nid, storage: store.storage)
        return (ours, try opensslVerdict(signature, candidates: candidates),
                signer.signedAttributesContent != nil && signer.signedAttributesInDEROrder)
    }

    /// `CMS_SignerInfo_verify` on OpenSSL's own parse of the bytes (false when it cannot parse them).
    private func opensslVerdict(_ signature: [UInt8], candidates: [Certificate]) throws -> Bool {
        defer { OpenSSLErrorQueue.clear() }
        let parsed: OpaquePointer? = signature.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_CMS_ContentInfo(nil, &cursor, buffer.count)
        }
        guard let parsed else { return false }
        defer { CMS_ContentInfo_free(parsed) }
        _ = try withCertificateStack(candidates) { CMS_set1_signers_certs(parsed, $0, 0) }
        guard let signer = vt_sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(parsed), 0) else { return false }
        return CMS_SignerInfo_verify(signer) == 1
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
        let signerInfo = try #require(SignedData.decode(signature)?.signers.first)
        let attributes = try #require(signerInfo.signedAttributesContent)
        // The signatureAlgorithm field is not signed (OpenSSL takes the digest from
        // digestAlgorithm), so only damage to the attributes or the value must be refused.
        let unsigned = attributes.endIndex..<signerInfo.signatureValue.startIndex
        var compared = 0
        for offset in stride(from: attributes.startIndex, to: signerInfo.signatureValue.endIndex, by: 5) {
            var damaged = signature
            damaged[offset] ^= 0x01
            guard let verdict = try verdicts(damaged, store: store) else { continue }
            #expect(verdict.ours == verdict.openssl, "byte \(offset): ours \(verdict.ours), OpenSSL \(verdict.openssl)")
            if !unsigned.contains(offset) { #expect(!verdict.ours, "byte \(offset) damaged and accepted") }
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
        let key = VerificationContextKey(fingerprint: identity.certificate.fingerprint, digestNID: NID_sha256)
        #expect(store.storage.verificationContexts.withLock { $0[key] } != nil)
        #expect(store.storage.verificationContexts.withLock { $0.count } == 1)
    }
}

enum SignatureTemplateTestAccess {
    static func template(_ identity: SigningIdentity) -> SignatureTemplate? {
        let configuration = SignatureTemplate.Configuration(digest: .sha256, padding: .pkcs1v15, includeSigningTime: true)
        _ = try? CAdESSigner(identity: identity).sign(messageDigest: [UInt8](repeating: 1, count: 32))
        return identity.signatureTemplates.template(for: configuration) { nil }
    }
}
