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
            #expect(signer.digestAlgorithm.nid == nid(digest))
            #expect(signer.signatureAlgorithm.nid == nid(algorithm))
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
            let found = try #require(SignerIdentification.certificates(for: signer.identifier, among: candidates).first)
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

    /// Signatures that differ from a known one only inside the messageDigest, signingTime and
    /// signature value contents are read from its shape, with exactly the fields the strict walk
    /// gives them; a difference in any other byte is not.
    @Test(arguments: ["vanthu-rsa", "ec256", "openssl-cades", "openssl-keyid"])
    func signaturesOfOneShapeReadAsTheWalkReadsThem(kind: String) throws {
        let der = try signature(kind)
        let walked = try #require(SignedData.walk(der, encodedByOpenSSL: false))
        let shape = try #require(Shapes.Shape(walked))
        let signer = try #require(walked.signers.first)
        #expect(shape.gaps.count == 3)
        #expect(shape.gaps.contains(signer.signatureValueRange))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            var variant = der
            for gap in shape.gaps { for index in gap where Bool.random(using: &generator) { variant[index] = UInt8.random(in: 0...255, using: &generator) } }
            let read = try #require(shape.reading(variant))
            let expected = try #require(SignedData.walk(variant, encodedByOpenSSL: false))
            #expect(read.hasSameFields(as: expected))
            #expect(read.withoutCertificates == expected.withoutCertificates)
            // And through `decode`, whichever shape (or none) it finds.
            #expect(try #require(SignedData.decode(variant)).hasSameFields(as: expected))
        }
        for index in der.indices where !shape.gaps.contains(where: { $0.contains(index) }) {
            var variant = der
            variant[index] ^= 0x01
            #expect(shape.reading(variant) == nil, "byte \(index)")
        }
        #expect(shape.reading(Array(der.dropLast())) == nil)
    }

    /// A DER tree, to rebuild a signature with other content and the lengths that go with it.
    private indirect enum Node {
        case primitive([UInt8])
        case constructed(UInt8, [Node])

        static func read(_ der: [UInt8], _ range: Range<Int>) throws -> [Node] {
            try #require(DER.children(der, of: range)).map { element in
                element.tag & 0x20 != 0 ? .constructed(element.tag, try read(der, element.value)) : .primitive(Array(der[element.whole]))
            }
        }

        var encoded: [UInt8] {
            switch self {
            case .primitive(let bytes): bytes
            case .constructed(let tag, let children): DER.tlv(tag, children.flatMap(\.encoded))
            }
        }

        var children: [Node] {
            get { if case .constructed(_, let children) = self { children } else { [] } }
            set { if case .constructed(let tag, _) = self { self = .constructed(tag, newValue) } }
        }
    }

    /// Only a signature whose one signer has signed attributes of distinct types, each with one
    /// value, gets a shape: with two values or two attributes of one type, the DER order the walk
    /// checks could depend on the variable contents.
    @Test func onlySignaturesWithOneSignerAndDistinctSingleValuedAttributesGetAShape() throws {
        let der = try signature("vanthu-rsa")
        let tree = try #require(Node.read(der, 0..<der.count).first)
        #expect(tree.encoded == der)
        // ContentInfo → [0] → SignedData → signerInfos (last) → SignerInfo → [0] signed attributes.
        func rebuilt(_ change: (inout [Node]) -> Void, signers: ((inout [Node]) -> Void)? = nil) throws -> SignedData {
            var root = tree
            var explicit = root.children[1]
            var signedData = explicit.children[0]
            var signerInfos = signedData.children[signedData.children.count - 1]
            var signerInfo = signerInfos.children[0]
            let attributesIndex = try #require(signerInfo.children.firstIndex { if case .constructed(0xa0, _) = $0 { true } else { false } })
            var attributes = signerInfo.children[attributesIndex]
            change(&attributes.children)
            signerInfo.children[attributesIndex] = attributes
            signerInfos.children[0] = signerInfo
            signers?(&signerInfos.children)
            signedData.children[signedData.children.count - 1] = signerInfos
            explicit.children[0] = signedData
            root.children[1] = explicit
            return try #require(SignedData.walk(root.encoded, encodedByOpenSSL: false))
        }
        let original = try #require(SignedData.walk(der, encodedByOpenSSL: false)?.signers.first)
        let messageDigest = try #require(original.signedAttributes.firstIndex { original.attribute($0, is: AttributeType.messageDigest) })
        #expect(Shapes.Shape(try rebuilt { _ in }) != nil)
        #expect(Shapes.Shape(try rebuilt { $0.append($0[messageDigest]) }) == nil)
        #expect(Shapes.Shape(try rebuilt { attributes in
            var values = attributes[messageDigest].children[1]
            values.children.append(values.children[0])
            attributes[messageDigest].children[1] = values
        }) == nil)
        #expect(Shapes.Shape(try rebuilt({ _ in }, signers: { $0.append($0[0]) })) == nil)
    }
}

/// What a review found the first version of the reader got wrong: signatures that are not strict
/// DER must be judged exactly as OpenSSL judges them, whatever their packaging.
@Suite struct SignedDataPackagingTests {
    let pki = TestPKI.shared
    let content = Array("Tờ trình số 07/TTr-SGDĐT về kế hoạch tuyển sinh lớp 10".utf8)

    private func document() throws -> (URL, URL) {
        let dir = try temporaryDirectory("packaging")
        let file = dir.appendingPathComponent("to-trinh.txt")
        try Data(content).write(to: file)
        return (file, dir)
    }

    private func report(_ signature: [UInt8], _ file: URL) throws -> SignatureReport {
        let report = try SignatureValidator(trustStore: pki.trustStore()).validateSynchronously(signature: signature, contentAt: file.path)
        return try #require(report.signatures.first)
    }

    /// `openssl cms -verify` on the bytes, true when it verifies.
    private func opensslAccepts(_ signature: [UInt8], _ file: URL, _ dir: URL) throws -> Bool {
        let path = dir.appendingPathComponent("candidate.p7s")
        try Data(signature).write(to: path)
        return (try? openssl(["cms", "-verify", "-binary", "-inform", "DER", "-in", path.path, "-content", file.path,
                              "-CAfile", pki.rootCertificate, "-certfile", pki.issuingCA, "-out", "/dev/null"])) != nil
    }

    /// The reader refuses `signature`, so does `openssl cms -verify`, and the report names `expected`.
    private func expectRefused(_ signature: [UInt8], as expected: SubIndication, _ file: URL, _ dir: URL) throws {
        #expect(SignedData.decode(signature) == nil)
        #expect(try !opensslAccepts(signature, file, dir))
        #expect(try report(signature, file).subIndication == expected)
    }

    /// The outer SEQUENCE's length written in one more byte than it needs: BER, not DER.
    private func asBER(_ der: [UInt8]) throws -> [UInt8] {
        try #require(der[1] == 0x82)
        return [der[0], 0x83, 0x00] + der[2...]
    }

    private func signedAttributes(_ der: [UInt8]) throws -> (range: Range<Int>, elements: [[UInt8]]) {
        let signer = try #require(SignedData.decode(der)?.signers.first)
        let attributes = try #require(signer.signedAttributesContent)
        let elements = try #require(DER.children(der, of: attributes.indices)).map { Array(der[$0.whole]) }
        return (attributes.indices, elements)
    }

    /// Signs `setOf` (the SET OF signed attributes, whole) with hung.nv's RSA key, PKCS#1 v1.5, SHA-256.
    private func rsaSignature(over setOf: [UInt8]) throws -> [UInt8] {
        let identity = try pki.identity("hung.nv")
        let context = try #require(EVP_MD_CTX_new())
        defer { EVP_MD_CTX_free(context) }
        #expect(EVP_DigestSignInit_ex(context, nil, "SHA256", nil, nil, identity.privateKey.backing.pointer, nil) == 1)
        var length = 0
        #expect(EVP_DigestSign(context, nil, &length, setOf, setOf.count) == 1)
        var value = [UInt8](repeating: 0, count: length)
        #expect(EVP_DigestSign(context, &value, &length, setOf, setOf.count) == 1)
        return Array(value.prefix(length))
    }

    /// Attributes reordered after signing, sent as DER or as BER: refused either way, as OpenSSL refuses them.
    @Test func reorderedAttributesAreRefusedWhateverThePackaging() throws {
        let (file, dir) = try document()
        var der = try CAdESSigner(identity: pki.identity("hung.nv")).signSynchronously(fileAt: file.path)
        let (range, elements) = try signedAttributes(der)
        der.replaceSubrange(range, with: elements.reversed().flatMap { $0 })
        for candidate in [der, try asBER(der)] {
            #expect(try report(candidate, file).subIndication == .sigCryptoFailure)
            #expect(try !opensslAccepts(candidate, file, dir))
        }
    }

    /// A signer that signed its attributes in another order than DER's (as some tools do): the
    /// signature holds, as DER and as BER, as OpenSSL says.
    @Test func attributesSignedUnsortedVerifyWhateverThePackaging() throws {
        let (file, dir) = try document()
        var der = try CAdESSigner(identity: pki.identity("hung.nv")).signSynchronously(fileAt: file.path)
        let (range, elements) = try signedAttributes(der)
        let reordered = elements.reversed().flatMap { $0 }
        der.replaceSubrange(range, with: reordered)
        var setOf: [UInt8] = []
        DER.appendHeader(&setOf, tag: 0x31, length: reordered.count)
        setOf += reordered
        let value = try rsaSignature(over: setOf)
        let signer = try #require(SignedData.decode(der)?.signers.first)
        try #require(signer.signatureValue.count == value.count)
        der.replaceSubrange(signer.signatureValue.indices, with: value)
        for candidate in [der, try asBER(der)] {
            #expect(try opensslAccepts(candidate, file, dir))
            let verdict = try report(candidate, file)
            #expect(verdict.indication == .totalPassed, "\(verdict.checks)")
        }
    }

    /// An extra signed attribute holding a constructed OCTET STRING, signed as sent: OpenSSL
    /// verifies its primitive re-encoding and refuses the signature, and so must VanThu.
    @Test func constructedStringInSignedAttributesIsJudgedAsOpenSSLJudgesIt() throws {
        let (file, dir) = try document()
        let identity = try pki.identity("hung.nv")
        let template = try #require(SignatureTemplateTestAccess.template(identity))
        let constructed: [UInt8] = [0x24, 0x06, 0x04, 0x01, 0x41, 0x04, 0x01, 0x42]
        let extra = SignatureTemplate.attribute([0x06, 0x03, 0x2a, 0x03, 0x04], value: constructed)
        let digest = try StreamingDigest.hash(fileAt: file.path)
        let signature = try template.sign(messageDigest: digest, signingTime: Date(), extraAttributes: [extra])
        try expectRefused(signature, as: .sigCryptoFailure, file, dir)
    }

    /// Junk in the unsigned crls field: OpenSSL cannot read the structure, so it is a format failure.
    @Test func junkRevocationInformationIsAFormatFailure() throws {
        let (file, dir) = try document()
        let der = try CAdESSigner(identity: pki.identity("hung.nv")).signSynchronously(fileAt: file.path)
        let outer = try #require(DER.children(der, of: 0..<der.count)?.first)
        let parts = try #require(DER.children(der, of: outer.value))
        let explicit = try #require(DER.children(der, of: parts[1].value)?.first)
        let fields = try #require(DER.children(der, of: explicit.value))
        let signerInfos = try #require(fields.last)
        let content = Array(der[explicit.valueStart..<signerInfos.start]) + [0xa1, 0x02, 0x05, 0x00] + Array(der[signerInfos.whole])
        let junk = DER.tlv(0x30, Array(der[parts[0].whole]) + DER.tlv(0xa0, DER.tlv(0x30, content)))
        try expectRefused(junk, as: .formatFailure, file, dir)
    }

    /// A signer identifier whose issuer name OpenSSL cannot read (a country given as a BOOLEAN,
    /// which no Name may hold): OpenSSL refuses the structure, so it is a format failure (the
    /// fuzzer found the first version of the reader accepting such names).
    @Test func unreadableIssuerNameIsAFormatFailure() throws {
        let (file, dir) = try document()
        var der = try CAdESSigner(identity: pki.identity("hung.nv")).signSynchronously(fileAt: file.path)
        let signer = try #require(SignedData.decode(der)?.signers.first)
        guard case .issuerAndSerialNumber(let issuer, _) = signer.identifier else {
            Issue.record("expected an issuer and serial number")
            return
        }
        let country: [UInt8] = [0x13, 0x02, 0x56, 0x4e]   // PrintableString "VN"
        let offset = try #require(issuer.indices.first { Array(der[$0..<min($0 + 4, issuer.endIndex)]) == country })
        der[offset] = 0x01
        try expectRefused(der, as: .formatFailure, file, dir)
    }

    @Test func canonicalValuesAreThoseOpenSSLEncodesBackUnchanged() {
        func canonical(_ bytes: [UInt8]) -> Bool {
            guard let element = DER.element(bytes, at: 0, end: bytes.count) else { return false }
            return DER.isCanonicalValue(bytes, element)
        }
        #expect(canonical([0x01, 0x01, 0xff]) && !canonical([0x01, 0x01, 0x01]))
        #expect(canonical([0x02, 0x02, 0x00, 0x80]) && !canonical([0x02, 0x02, 0x00, 0x01]) && !canonical([0x02, 0x00]))
        #expect(!canonical([0x02, 0x02, 0xff, 0x80]) && canonical([0x02, 0x01, 0x80]))
        #expect(canonical([0x03, 0x02, 0x01, 0x02]) && !canonical([0x03, 0x02, 0x01, 0x01]) && !canonical([0x03, 0x01, 0x01]))
        #expect(canonical([0x06, 0x03, 0x2a, 0x86, 0x48]) && canonical([0x06, 0x02, 0x2a, 0x03]) && !canonical([0x06, 0x02, 0x2a, 0x86]))
        #expect(!canonical([0x06, 0x02, 0x80, 0x01]) && !canonical([0x06, 0x01, 0x81]))
        #expect(!canonical([0x24, 0x03, 0x04, 0x01, 0x41]) && canonical([0x04, 0x01, 0x41]))
        #expect(!canonical([0x17, 0x02, 0x32, 0x36]) && canonical([0x05, 0x00]) && !canonical([0x05, 0x01, 0x00]))
        #expect(canonical([0xa0, 0x02, 0x05, 0x00]) && canonical([0x30, 0x00]) && !canonical([0x09, 0x01, 0x40]))
    }
}
