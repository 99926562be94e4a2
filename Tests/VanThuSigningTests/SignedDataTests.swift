import COpenSSL
import Foundation
import Testing
@testable import VanThuSigning

/// The Swift reader of DER SignedData, field by field against OpenSSL's own parse of the same
/// bytes, and its refusal of anything that is not strict DER (which then takes OpenSSL's path).
@Suite struct SignedDataTests {
    let pki = TestPKI.shared
    let content = Array("Công văn số 214/SGDĐT-VP về việc tổ chức kỳ thi học sinh giỏi cấp tỉnh".utf8)

    private func signature(_ kind: String) throws -> [UInt8] {
        let dir = try temporaryDirectory("signeddata")
        let file = dir.appendingPathComponent("cong-van.txt")
        try Data(content).write(to: file)
        let out = dir.appendingPathComponent("cong-van.p7s")
        switch kind {
        case "openssl-cades", "openssl-plain", "openssl-keyid":
            var arguments = ["cms", "-sign", "-binary", "-md", "sha256", "-in", file.path, "-signer", pki.cert("lan.tt"),
                             "-inkey", pki.key("lan.tt"), "-certfile", pki.issuingCA, "-outform", "DER", "-out", out.path]
            if kind == "openssl-cades" { arguments.append("-cades") }
            if kind == "openssl-keyid" { arguments.append("-keyid") }
            try openssl(arguments)
            return try bytes(out)
        case "rsa-pss":
            return try CAdESSigner(identity: pki.identity("hung.nv"), digestAlgorithm: .sha384, rsaPadding: .pss)
                .sign(messageDigest: StreamingDigest.hash(content, algorithm: .sha384))
        case "ec256":
            return try CAdESSigner(identity: pki.fixtureIdentity("ec256")).sign(messageDigest: StreamingDigest.hash(content))
        default:
            return try CAdESSigner(identity: pki.identity("hung.nv")).sign(messageDigest: StreamingDigest.hash(content))
        }
    }

    @Test(arguments: ["vanthu-rsa", "rsa-pss", "ec256", "openssl-cades", "openssl-plain", "openssl-keyid"])
    func readsWhatOpenSSLReads(kind: String) throws {
        let der = try signature(kind)
        let ours = try #require(SignedData.decode(der))
        let cms = try #require(der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_CMS_ContentInfo(nil, &cursor, buffer.count)
        })
        defer { CMS_ContentInfo_free(cms) }

        let certificates = try #require(CMS_get1_certs(cms))
        defer { vt_sk_X509_free_all(certificates) }
        #expect(ours.certificates.count == Int(vt_sk_X509_num(certificates)))
        for (index, embedded) in ours.certificates.enumerated() {
            let theirs = try #require(vt_sk_X509_value(certificates, Int32(index)))
            #expect(encodeDER({ i2d_X509(theirs, $0) }) == Array(embedded))
        }

        let signers = CMS_get0_SignerInfos(cms)
        #expect(ours.signers.count == Int(vt_sk_CMS_SignerInfo_num(signers)))
        for (index, signer) in ours.signers.enumerated() {
            let theirs = try #require(vt_sk_CMS_SignerInfo_value(signers, Int32(index)))
            var digest: UnsafeMutablePointer<X509_ALGOR>?
            var algorithm: UnsafeMutablePointer<X509_ALGOR>?
            CMS_SignerInfo_get0_algs(theirs, nil, nil, &digest, &algorithm)
            #expect(CMSParsing.nid(of: signer.digestAlgorithm) == nid(digest))
            #expect(CMSParsing.nid(of: signer.signatureAlgorithm) == nid(algorithm))
            let value = try #require(CMS_SignerInfo_get0_signature(theirs))
            #expect(Array(signer.signatureValue) == Array(UnsafeBufferPointer(start: ASN1_STRING_get0_data(value), count: Int(ASN1_STRING_length(value)))))
            #expect(signer.signedAttributes.count == Int(CMS_signed_get_attr_count(theirs)))
            #expect(signer.unsignedAttributes.count == Int(max(CMS_unsigned_get_attr_count(theirs), 0)))
            #expect(signer.signedAttributesInDEROrder)

            // The signer's certificate is found as OpenSSL finds it.
            var keyID: UnsafeMutablePointer<ASN1_OCTET_STRING>?
            var issuer: OpaquePointer?
            var serial: UnsafeMutablePointer<ASN1_INTEGER>?
            #expect(CMS_SignerInfo_get0_signer_id(theirs, &keyID, &issuer, &serial) == 1)
            switch signer.identifier {
            case .subjectKeyIdentifier: #expect(keyID != nil && kind == "openssl-keyid")
            case .issuerAndSerialNumber: #expect(issuer != nil && serial != nil && kind != "openssl-keyid")
            }
            // Another person's certificate from the same CA comes first: same issuer, other
            // serial number and key identifier, so only a full comparison skips it.
            let store = try pki.trustStore()
            let colleague = try Certificate.load(contentsOf: pki.cert("nam.hv"))[0]
            let candidates = try [colleague] + ours.certificates.map { try Certificate(der: Array($0)) } + store.intermediates
            let found = try #require(SignerIdentification.certificate(for: signer.identifier, among: candidates))
            #expect(CMS_SignerInfo_cert_cmp(theirs, found.backing.pointer) == 0)
            #expect(found != colleague)
        }
        OpenSSLErrorQueue.clear()
    }

    private func nid(_ algorithm: UnsafeMutablePointer<X509_ALGOR>?) -> Int32 {
        var object: OpaquePointer?
        X509_ALGOR_get0(&object, nil, nil, algorithm)
        return OBJ_obj2nid(object)
    }

    /// A length written in more bytes than it needs is BER, not DER: the Swift reader refuses it,
    /// OpenSSL's path reads and re-encodes it, and the signature still verifies.
    @Test func longFormLengthTakesOpenSSLsPath() throws {
        let der = try signature("vanthu-rsa")
        #expect(der[1] == 0x82)
        let ber = [der[0], 0x83, 0x00] + der[2...]
        #expect(SignedData.decode(ber) == nil)
        let dir = try temporaryDirectory("signeddata")
        let file = dir.appendingPathComponent("cong-van.txt")
        try Data(content).write(to: file)
        let report = try SignatureValidator(trustStore: pki.trustStore()).validateSynchronously(signature: ber, contentAt: file.path)
        #expect(report.indication == .totalPassed, "\(report.text)")
    }

    /// Signed attributes moved out of the order they were signed in: the faster path leaves them
    /// to OpenSSL, which verifies them in the order given (its CMS_Attributes_Verify encoding keeps
    /// the order), so both refuse the signature.
    @Test func reorderedSignedAttributesAreJudgedAsOpenSSLJudgesThem() throws {
        var der = try signature("vanthu-rsa")
        let signer = try #require(SignedData.decode(der)?.signers.first)
        let attributes = try #require(signer.signedAttributesContent)
        var elements: [ArraySlice<UInt8>] = []
        var cursor = attributes.startIndex
        while cursor < attributes.endIndex {
            let element = try #require(DER.element(der, at: cursor, end: attributes.endIndex))
            elements.append(der[element.whole])
            cursor = element.end
        }
        #expect(elements.count >= 4)
        der.replaceSubrange(attributes.indices, with: elements.reversed().flatMap { Array($0) })
        let reordered = try #require(SignedData.decode(der)?.signers.first)
        #expect(!reordered.signedAttributesInDEROrder)

        let dir = try temporaryDirectory("signeddata")
        let file = dir.appendingPathComponent("cong-van.txt")
        try Data(content).write(to: file)
        let report = try SignatureValidator(trustStore: pki.trustStore()).validateSynchronously(signature: der, contentAt: file.path)
        #expect(report.indication == .totalFailed && report.signatures.first?.subIndication == .sigCryptoFailure, "\(report.text)")
        let path = dir.appendingPathComponent("reordered.p7s")
        try Data(der).write(to: path)
        #expect(throws: (any Error).self) {
            try openssl(["cms", "-verify", "-binary", "-inform", "DER", "-in", path.path, "-content", file.path,
                         "-CAfile", pki.rootCertificate, "-certfile", pki.issuingCA, "-out", "/dev/null"])
        }
    }

    /// Every prefix and every single-byte extension is refused by the reader, and the whole
    /// parse gives a format failure for it, never a crash.
    @Test func truncatedAndExtendedSignaturesAreRefused() throws {
        let der = try signature("ec256")
        let store = try pki.trustStore()
        for length in stride(from: 0, to: der.count, by: 3) {
            let prefix = Array(der.prefix(length))
            #expect(SignedData.decode(prefix) == nil)
            guard case .failure = CMSParsing.parse(prefix, certificate: { store.storage.certificate(der: $0) }) else {
                Issue.record("a \(length)-byte prefix parsed")
                continue
            }
        }
        #expect(SignedData.decode(der + [0]) == nil)
        guard case .failure(let problem) = CMSParsing.parse(der + [0], certificate: { store.storage.certificate(der: $0) }) else {
            Issue.record("trailing byte accepted")
            return
        }
        #expect(problem.reason == "The signature has 1 unexpected bytes after its end.")
    }
}
