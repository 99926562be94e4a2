import COpenSSL
import Foundation
import Testing
@testable import VanThuSigning

/// Signatures assembled from a per-identity DER template, judged by OpenSSL's own parser,
/// encoder and verifier, and compared with what OpenSSL's CMS code makes for the same input.
@Suite struct SignatureTemplateTests {
    let pki = TestPKI.shared
    let content = Array("Tờ trình số 7/TTr-SGDĐT về việc phê duyệt kế hoạch tuyển sinh".utf8)

    private func template(_ signer: CAdESSigner) throws -> SignatureTemplate {
        let configuration = SignatureTemplate.Configuration(digest: signer.digestAlgorithm, padding: signer.rsaPadding,
                                                            includeSigningTime: signer.includeSigningTime)
        return try #require(signer.identity.signatureTemplates.template(for: configuration) { nil },
                            "no template was made for \(configuration)")
    }

    /// RSA PKCS#1 v1.5 is deterministic, so the template must give OpenSSL's bytes exactly,
    /// UTCTime and GeneralizedTime alike, with and without signingTime.
    @Test(arguments: [DigestAlgorithm.sha256, .sha384, .sha512], [true, false])
    func rsaSignatureIsByteForByteOpenSSLs(digest: DigestAlgorithm, includeSigningTime: Bool) throws {
        let signer = CAdESSigner(identity: try pki.identity("hung.nv"), digestAlgorithm: digest,
                                 includeSigningTime: includeSigningTime)
        let messageDigest = StreamingDigest.hash(content, algorithm: digest)
        for time in [Date(timeIntervalSince1970: 1_795_000_000), Date(timeIntervalSince1970: 2_556_100_000)] {
            let ours = try signer.sign(messageDigest: messageDigest, signingTime: time)
            _ = try template(signer)
            let openssl = try signer.signWithCMS(messageDigest: messageDigest, algorithm: digest, signingTime: time)
            #expect(ours == openssl)
        }
    }

    /// ECDSA and RSA-PSS signatures are randomised: OpenSSL must parse them, encode them back to
    /// the same DER (so the signed attributes are a sorted SET OF and every length is minimal),
    /// and verify them against the dev root with the content given apart.
    @Test(arguments: ["ec256", "ec384", "rsa2048-pss", "hung.nv-sha512"])
    func signatureParsesReencodesAndVerifiesInOpenSSL(name: String) throws {
        let identity = name.hasPrefix("ec") ? try pki.fixtureIdentity(name)
            : name.hasPrefix("rsa2048") ? try pki.fixtureIdentity("rsa2048") : try pki.identity("hung.nv")
        let digest: DigestAlgorithm = name.hasSuffix("sha512") || name == "ec384" ? .sha512 : .sha256
        let signer = CAdESSigner(identity: identity, digestAlgorithm: digest, rsaPadding: name.hasSuffix("pss") ? .pss : .pkcs1v15)
        let signature = try signer.sign(messageDigest: StreamingDigest.hash(content, algorithm: digest))
        _ = try template(signer)

        let parsed = try #require(signature.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_CMS_ContentInfo(nil, &cursor, buffer.count)
        })
        defer { CMS_ContentInfo_free(parsed) }
        #expect(encodeDER({ i2d_CMS_ContentInfo(parsed, $0) }) == signature)

        let signerInfo = try #require(vt_sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(parsed), 0))
        let encodings = (0..<CMS_signed_get_attr_count(signerInfo)).compactMap { index in
            CMS_signed_get_attr(signerInfo, index).flatMap { attribute in encodeDER({ i2d_X509_ATTRIBUTE(attribute, $0) }) }
        }
        #expect(encodings.count == 4)
        #expect(encodings == encodings.sorted { $0.lexicographicallyPrecedes($1) })

        let store = try #require(X509_STORE_new())
        defer { X509_STORE_free(store) }
        let root = try Certificate.load(contentsOf: pki.rootCertificate)[0]
        #expect(X509_STORE_add_cert(store, root.backing.pointer) == 1)
        let verified = withMemoryBIO(content) { bio in
            CMS_verify(parsed, nil, store, bio, nil, UInt32(CMS_BINARY | CMS_DETACHED))
        }
        #expect(verified == 1, "\(OpenSSLErrorQueue.drain())")
        // And a different content is refused, so the check above can fail.
        let refused = withMemoryBIO(content + [0x0a]) { bio in
            CMS_verify(parsed, nil, store, bio, nil, UInt32(CMS_BINARY | CMS_DETACHED))
        }
        #expect(refused != 1)
        OpenSSLErrorQueue.clear()
    }

    @Test func signingTimeIsUTCTimeUntil2049AndGeneralizedTimeAfter() {
        #expect(SignatureTemplate.encodeTime(Date(timeIntervalSince1970: 1_795_000_000)) == DER.tlv(0x17, Array("261118110640Z".utf8)))
        #expect(SignatureTemplate.encodeTime(Date(timeIntervalSince1970: 2_524_607_999)) == DER.tlv(0x17, Array("491231235959Z".utf8)))
        #expect(SignatureTemplate.encodeTime(Date(timeIntervalSince1970: 2_524_608_000)) == DER.tlv(0x18, Array("20500101000000Z".utf8)))
    }

    /// A prototype whose layout the template does not know (here: a second signer) is refused,
    /// and OpenSSL's CMS code goes on signing.
    @Test func unexpectedPrototypeMakesNoTemplate() throws {
        let identity = try pki.identity("hung.nv")
        let signer = CAdESSigner(identity: identity)
        let messageDigest = StreamingDigest.hash(content)
        let prototype = try signer.signWithCMS(messageDigest: messageDigest, algorithm: .sha256, signingTime: Date())
        let configuration = SignatureTemplate.Configuration(digest: .sha256, padding: .pkcs1v15, includeSigningTime: true)
        #expect(SignatureTemplate(prototype: prototype, key: identity.privateKey.backing, configuration: configuration) != nil)
        var truncated = prototype
        truncated.removeLast()
        #expect(SignatureTemplate(prototype: truncated, key: identity.privateKey.backing, configuration: configuration) == nil)
        let withoutTime = SignatureTemplate.Configuration(digest: .sha256, padding: .pkcs1v15, includeSigningTime: false)
        #expect(SignatureTemplate(prototype: prototype, key: identity.privateKey.backing, configuration: withoutTime) == nil)
    }
}
