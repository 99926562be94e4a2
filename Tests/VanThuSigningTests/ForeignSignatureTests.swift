import COpenSSL
import Foundation
import Testing
@testable import VanThuSigning

// Object identifiers (whole elements) and an algorithm identifier the tests write.
private let contentTypeOID: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03]
private let countersignatureOID: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x06]
private let signingCertificateV2OID: [UInt8] = [0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f]
private let idData: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]
private let idSignedData: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]
private let idTSTInfo: [UInt8] = [0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04]
private let sha1Algorithm: [UInt8] = [0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00]

/// Signatures as other tools write them (review r2): SignerInfos out of DER order in PEM or BER,
/// a signed content type that is not the encapsulated one or not a document's, a digest algorithm
/// missing from digestAlgorithms, an attached signature checked against a separate file, and the
/// RFC 5652 attribute rules. Each is made by `openssl cms` or put together here from a signature
/// VanThu made, re-signed with the signer's key where its signed attributes change.
@Suite struct ForeignSignatureTests {
    let pki = TestPKI.shared
    let content = "Công văn số 128/SGDĐT-VP về việc triển khai chữ ký số trong trường học — Sở Giáo dục và Đào tạo tỉnh Thanh Hóa\n"

    // MARK: - Helpers

    private func document() throws -> (file: URL, dir: URL) {
        let dir = try temporaryDirectory("foreign")
        let file = dir.appendingPathComponent("cong-van-128.txt")
        try write(content, to: file)
        return (file, dir)
    }

    private func validate(_ signature: [UInt8], _ file: URL) throws -> ValidationReport {
        try SignatureValidator(trustStore: pki.trustStore(withIntermediate: true)).validateSynchronously(signature: signature, contentAt: file.path)
    }

    private func check(_ report: SignatureReport, _ id: String) -> ValidationCheck? { report.checks.first { $0.id == id } }

    /// `openssl cms -verify` on the bytes, true when it verifies.
    private func opensslAccepts(_ signature: [UInt8], form: String = "DER", _ file: URL, _ dir: URL) throws -> Bool {
        let path = dir.appendingPathComponent("candidate.p7s")
        try Data(signature).write(to: path)
        return (try? openssl(["cms", "-verify", "-binary", "-inform", form, "-in", path.path, "-content", file.path,
                              "-CAfile", pki.rootCertificate, "-certfile", pki.issuingCA, "-purpose", "any", "-out", "/dev/null"])) != nil
    }

    private func pem(_ der: [UInt8]) -> [UInt8] {
        Array("-----BEGIN CMS-----\n\(Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed]))\n-----END CMS-----\n".utf8)
    }

    /// The outer SEQUENCE's length written in one more byte than it needs: BER, not DER.
    private func ber(_ der: [UInt8]) throws -> [UInt8] {
        try #require(der[1] == 0x82)
        return [der[0], 0x83, 0x00] + der[2...]
    }

    /// A SignedData taken apart into its fields (each whole), to put together as another tool would.
    private struct Parts {
        var contentInfoType: [UInt8]
        var version: [UInt8]
        var digestAlgorithms: [[UInt8]]
        var encapsulatedContentInfo: [UInt8]
        var certificates: [UInt8]?
        var signerInfos: [[UInt8]]

        init(_ der: [UInt8]) throws {
            func whole(_ element: DER.Element) -> [UInt8] { Array(der[element.whole]) }
            let outer = try #require(DER.children(der, of: 0..<der.count)?.first)
            let parts = try #require(DER.children(der, of: outer.value))
            let signedData = try #require(DER.children(der, of: parts[1].value)?.first)
            let fields = try #require(DER.children(der, of: signedData.value))
            try #require(fields.count == 5 && fields[3].tag == 0xa0)
            contentInfoType = whole(parts[0])
            version = whole(fields[0])
            digestAlgorithms = try #require(DER.children(der, of: fields[1].value)).map(whole)
            encapsulatedContentInfo = whole(fields[2])
            certificates = whole(fields[3])
            signerInfos = try #require(DER.children(der, of: fields[4].value)).map(whole)
        }

        /// The SignedData with its SETs in the order given (DER only when that is their sorted order).
        var der: [UInt8] {
            let fields = version + DER.tlv(0x31, digestAlgorithms.flatMap { $0 }) + encapsulatedContentInfo
                + (certificates ?? []) + DER.tlv(0x31, signerInfos.flatMap { $0 })
            return DER.tlv(0x30, contentInfoType + DER.tlv(0xa0, DER.tlv(0x30, fields)))
        }
    }

    /// A SignerInfo taken apart: version, sid, digestAlgorithm, [0] signed attributes, signatureAlgorithm, signature.
    private struct SignerParts {
        var leading: [UInt8]          // version, sid, digestAlgorithm
        var signedAttributes: [[UInt8]]
        var signatureAlgorithm: [UInt8]

        init(_ der: [UInt8]) throws {
            let info = try #require(DER.children(der, of: 0..<der.count)?.first)
            let parts = try #require(DER.children(der, of: info.value))
            try #require(parts.count == 6 && parts[3].tag == 0xa0)
            leading = Array(der[parts[0].start..<parts[2].end])
            signedAttributes = try #require(DER.children(der, of: parts[3].value)).map { Array(der[$0.whole]) }
            signatureAlgorithm = Array(der[parts[4].whole])
        }

        /// The SignerInfo with `attributes` as its signed attributes (sorted), signed by `key` (SHA-256).
        func signed(with key: PrivateKey, attributes: [[UInt8]]) throws -> [UInt8] {
            let content = SignatureTemplate.sortedSet(attributes)
            let value = try ForeignSignatureTests.rsaSign(DER.tlv(0x31, content), key: key)
            return DER.tlv(0x30, leading + DER.tlv(0xa0, content) + signatureAlgorithm + DER.tlv(0x04, value))
        }

        func attribute(_ oid: [UInt8]) -> Int? { signedAttributes.firstIndex { ForeignSignatureTests.type(of: $0) == oid } }
    }

    /// An attribute's type, its whole OBJECT IDENTIFIER element.
    static func type(of attribute: [UInt8]) -> [UInt8]? {
        guard let outer = DER.element(attribute, at: 0, end: attribute.count),
              let type = DER.children(attribute, of: outer.value)?.first else { return nil }
        return Array(attribute[type.whole])
    }

    private static func rsaSign(_ bytes: [UInt8], key: PrivateKey) throws -> [UInt8] {
        let context = try #require(EVP_MD_CTX_new())
        defer { EVP_MD_CTX_free(context) }
        try #require(EVP_DigestSignInit_ex(context, nil, "SHA256", nil, nil, key.backing.pointer, nil) == 1)
        var length = 0
        try #require(EVP_DigestSign(context, nil, &length, bytes, bytes.count) == 1)
        var value = [UInt8](repeating: 0, count: length)
        try #require(EVP_DigestSign(context, &value, &length, bytes, bytes.count) == 1)
        return Array(value.prefix(length))
    }

    /// hung.nv's VanThu signature over the document, taken apart, with the key to re-sign it.
    private func vanthuSignature(_ file: URL) throws -> (parts: Parts, signer: SignerParts, key: PrivateKey) {
        let identity = try pki.identity("hung.nv")
        let der = try CAdESSigner(identity: identity).signSynchronously(fileAt: file.path)
        let parts = try Parts(der)
        #expect(parts.der == der)
        return (parts, try SignerParts(try #require(parts.signerInfos.first)), identity.privateKey)
    }

    // MARK: - D1: SignerInfos out of DER order, received as PEM or BER

    /// Two signers (RSA and ECDSA) by `openssl cms`, their SignerInfos then written in the other
    /// order, as a signer that keeps insertion order does: BER and PEM need no sorted SET OF. The
    /// reading comes from OpenSSL's sorted re-encoding, the signature values from its parse of the
    /// bytes as received, and each signer must be verified against its own SignerInfo.
    @Test func signerInfosOutOfDEROrderVerifyAsPEMAndBER() throws {
        let (file, dir) = try document()
        let signaturePath = dir.appendingPathComponent("two.p7s")
        try openssl(["cms", "-sign", "-binary", "-md", "sha256", "-in", file.path,
                     "-signer", pki.cert("nam.hv"), "-inkey", pki.key("nam.hv"),
                     "-signer", pki.fixtureCert("ec256"), "-inkey", pki.fixtureKey("ec256"),
                     "-certfile", pki.issuingCA, "-outform", "DER", "-out", signaturePath.path])
        let sorted = try bytes(signaturePath)
        var parts = try Parts(sorted)
        try #require(parts.signerInfos.count == 2)
        parts.signerInfos.reverse()
        let unsorted = parts.der
        try #require(unsorted != sorted && unsorted.count == sorted.count)

        for (name, candidate) in [("DER", sorted), ("DER unsorted", unsorted), ("PEM", pem(sorted)), ("PEM unsorted", pem(unsorted)),
                                  ("BER", try ber(sorted)), ("BER unsorted", try ber(unsorted))] {
            let report = try validate(candidate, file)
            #expect(report.indication == .totalPassed, "\(name): \(report.text)")
            #expect(report.signatures.count == 2, "\(name)")
            #expect(try opensslAccepts(candidate, form: name.hasPrefix("PEM") ? "PEM" : "DER", file, dir), "\(name)")
        }

        // Never a pass for a damaged signer: either signature value changed, in the unsorted PEM
        // and BER, fails that signer alone.
        for index in 0..<2 {
            var damaged = parts
            var info = damaged.signerInfos[index]
            info[info.count - 3] ^= 0x01   // inside the signature value, the SignerInfo's last field
            damaged.signerInfos[index] = info
            for candidate in [pem(damaged.der), try ber(damaged.der)] {
                let report = try validate(candidate, file)
                #expect(report.indication == .totalFailed && report.subIndication == .sigCryptoFailure, "\(report.text)")
                #expect(report.signatures.filter { $0.indication == .totalPassed }.count == 1, "\(report.text)")
            }
        }
    }

    /// Two SignerInfos carrying one signature value, the second with another messageDigest (over
    /// another document) but not signed: taking the SignerInfo by its value must not let the
    /// second borrow the first's verification.
    @Test func signerInfoCopiedWithOtherAttributesNeverPasses() throws {
        let (file, dir) = try document()
        let (parts, signer, _) = try vanthuSignature(file)
        let other = dir.appendingPathComponent("khac.txt")
        try write("Nội dung khác hẳn văn bản đã ký\n", to: other)
        let otherDigest = try StreamingDigest.hash(fileAt: other.path)
        let original = try #require(parts.signerInfos.first)
        let index = try #require(signer.attribute(SignatureTemplate.messageDigestOID))
        var attributes = signer.signedAttributes
        attributes[index] = SignatureTemplate.attribute(SignatureTemplate.messageDigestOID, value: DER.tlv(0x04, otherDigest))
        let info = try #require(DER.children(original, of: 0..<original.count)?.first)
        let fields = try #require(DER.children(original, of: info.value))
        let forged = DER.tlv(0x30, signer.leading + DER.tlv(0xa0, SignatureTemplate.sortedSet(attributes))
                             + signer.signatureAlgorithm + Array(original[fields[5].whole]))
        var combined = parts
        combined.signerInfos = [original, forged]
        for candidate in [pem(combined.der), try ber(combined.der)] {
            let report = try validate(candidate, other)
            #expect(report.indication == .totalFailed, "\(report.text)")
            #expect(!report.signatures.contains { $0.indication == .totalPassed }, "\(report.text)")
        }
    }

    // MARK: - D4: the signed content type

    private func withContentTypes(attribute: [UInt8], encapsulated: [UInt8], _ file: URL) throws -> [UInt8] {
        let (base, signer, key) = try vanthuSignature(file)
        var parts = base
        var attributes = signer.signedAttributes
        attributes[try #require(signer.attribute(contentTypeOID))] = SignatureTemplate.attribute(contentTypeOID, value: attribute)
        parts.signerInfos = [try signer.signed(with: key, attributes: attributes)]
        parts.encapsulatedContentInfo = DER.tlv(0x30, encapsulated)
        return parts.der
    }

    @Test func contentTypeRebuiltUnchangedPasses() throws {
        let (file, _) = try document()
        let report = try validate(try withContentTypes(attribute: idData, encapsulated: idData, file), file)
        #expect(report.indication == .totalPassed, "\(report.text)")
    }

    /// RFC 5652 §11.1: the contentType attribute must equal the eContentType.
    @Test(arguments: [(idSignedData, idData), (idTSTInfo, idData), (idData, idTSTInfo)])
    func contentTypeDifferingFromEContentTypeIsAFormatFailure(attribute: [UInt8], encapsulated: [UInt8]) throws {
        let (file, _) = try document()
        let report = try validate(try withContentTypes(attribute: attribute, encapsulated: encapsulated, file), file)
        let signature = try #require(report.signatures.first)
        #expect(signature.indication == .totalFailed && signature.subIndication == .formatFailure, "\(report.text)")
        let reason = try #require(check(signature, "signed-attributes")?.reason)
        #expect(reason.contains("RFC 5652 §11.1") && reason.contains("the encapsulated content type is"), "\(reason)")
    }

    /// A signed TSTInfo (what a time-stamp token signs) is no signed document, however well it verifies.
    @Test func signedContentOtherThanDataIsNotADocumentSignature() throws {
        let (file, _) = try document()
        let report = try validate(try withContentTypes(attribute: idTSTInfo, encapsulated: idTSTInfo, file), file)
        let signature = try #require(report.signatures.first)
        #expect(signature.indication == .indeterminate && signature.subIndication == .sigConstraintsFailure, "\(report.text)")
        let contentType = try #require(check(signature, "content-type"))
        #expect(contentType.result == .failed)
        #expect(contentType.reason.contains("1.2.840.113549.1.9.16.1.4"), "\(contentType.reason)")
        #expect(check(signature, "signature-value")?.result == .passed)
        #expect(check(signature, "message-digest")?.result == .passed)
    }

    // MARK: - D6: digestAlgorithms

    /// The signer's SHA-256 missing from digestAlgorithms (which holds SHA-1, or nothing):
    /// OpenSSL refuses to verify, and so does VanThu, saying why.
    @Test(arguments: [[sha1Algorithm], []])
    func digestAlgorithmMissingFromDigestAlgorithmsIsAFormatFailure(listed: [[UInt8]]) throws {
        let (file, dir) = try document()
        var parts = try vanthuSignature(file).parts
        let original = parts.digestAlgorithms
        parts.digestAlgorithms = listed
        let signature = parts.der
        #expect(try !opensslAccepts(signature, file, dir))
        let report = try validate(signature, file)
        #expect(report.indication == .totalFailed && report.subIndication == .formatFailure, "\(report.text)")
        let reason = try #require(report.signatures.first?.checks.first?.reason)
        #expect(reason.contains("SHA-256") && reason.contains("digestAlgorithms"), "\(reason)")
        // SHA-1 listed beside SHA-256 is fine.
        parts.digestAlgorithms = ([sha1Algorithm] + original).sorted { $0.lexicographicallyPrecedes($1) }
        #expect(try validate(parts.der, file).indication == .totalPassed)
    }

    // MARK: - D7: an attached signature checked against a file

    private func attached(_ embedded: [UInt8], _ file: URL) throws -> [UInt8] {
        var parts = try vanthuSignature(file).parts
        parts.encapsulatedContentInfo = DER.tlv(0x30, idData + DER.tlv(0xa0, DER.tlv(0x04, embedded)))
        return parts.der
    }

    @Test func attachedContentMatchingWhatWasSignedIsWarned() throws {
        let (file, _) = try document()
        let report = try validate(try attached(Array(content.utf8), file), file)
        let signature = try #require(report.signatures.first)
        #expect(signature.indication == .totalPassed, "\(report.text)")
        #expect(check(signature, "embedded-content")?.result == .warning)
    }

    /// The embedded content is not what was signed, the given file is: the signature must not
    /// pass, since other tools show the embedded content.
    @Test func attachedContentDifferingFromWhatWasSignedFails() throws {
        let (file, dir) = try document()
        let embedded = Array("Quyết định số 99/QĐ-SGDĐT — nội dung khác với văn bản đã ký\n".utf8)
        let signature = try attached(embedded, file)
        let report = try validate(signature, file)
        let verdict = try #require(report.signatures.first)
        #expect(verdict.indication == .totalFailed && verdict.subIndication == .hashFailure, "\(report.text)")
        #expect(check(verdict, "message-digest")?.result == .passed)
        let embeddedCheck = try #require(check(verdict, "embedded-content"))
        #expect(embeddedCheck.result == .failed && embeddedCheck.reason.contains("embedded in the signature differs"))
        // OpenSSL, verifying the embedded content, refuses it too.
        let path = dir.appendingPathComponent("attached.p7s")
        try Data(signature).write(to: path)
        let cli = try runProcess("/usr/bin/openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", path.path, "-CAfile", pki.rootCertificate,
                                                      "-certfile", pki.issuingCA, "-purpose", "any", "-out", "/dev/null"])
        #expect(cli.status != 0)
    }

    // MARK: - D9: RFC 5652 attribute rules

    private func withAttributes(_ change: (inout [[UInt8]], SignerParts) throws -> Void, _ file: URL) throws -> SignatureReport {
        let (base, signer, key) = try vanthuSignature(file)
        var parts = base
        var attributes = signer.signedAttributes
        try change(&attributes, signer)
        parts.signerInfos = [try signer.signed(with: key, attributes: attributes)]
        return try #require(try validate(parts.der, file).signatures.first)
    }

    private func expectFormatFailure(_ report: SignatureReport, naming rule: String) {
        #expect(report.indication == .totalFailed && report.subIndication == .formatFailure, "\(report.checks)")
        let reason = check(report, "signed-attributes")?.reason ?? ""
        #expect(reason.contains(rule), "\(reason)")
        #expect(check(report, "signature-value") == nil)
    }

    @Test func signingTimeWithTwoValuesIsAFormatFailure() throws {
        let (file, _) = try document()
        let report = try withAttributes({ attributes, _ in
            let times = [SignatureTemplate.encodeTime(Date()), SignatureTemplate.encodeTime(Date(timeIntervalSinceNow: -3600))]
            let index = try #require(attributes.firstIndex { Self.type(of: $0) == SignatureTemplate.signingTimeOID })
            attributes[index] = SignatureTemplate.attribute(SignatureTemplate.signingTimeOID, value: SignatureTemplate.sortedSet(times))
        }, file)
        expectFormatFailure(report, naming: "RFC 5652 §11.3")
    }

    @Test func signingCertificateV2TwiceIsAFormatFailure() throws {
        let (file, _) = try document()
        let report = try withAttributes({ attributes, signer in
            attributes.append(attributes[try #require(signer.attribute(signingCertificateV2OID))])
        }, file)
        expectFormatFailure(report, naming: "RFC 5035")
    }

    @Test func countersignatureAmongSignedAttributesIsAFormatFailure() throws {
        let (file, _) = try document()
        let report = try withAttributes({ attributes, _ in
            attributes.append(SignatureTemplate.attribute(countersignatureOID, value: DER.tlv(0x30, [0x02, 0x01, 0x01])))
        }, file)
        expectFormatFailure(report, naming: "RFC 5652 §11.4")
    }

    @Test func messageDigestTwiceIsAFormatFailure() throws {
        let (file, _) = try document()
        let report = try withAttributes({ attributes, signer in
            attributes.append(attributes[try #require(signer.attribute(SignatureTemplate.messageDigestOID))])
        }, file)
        expectFormatFailure(report, naming: "RFC 5652 §11.2")
    }
}
