import COpenSSL

/// What a signer says it signed: a document (id-data), and, when the signature carries it, the
/// content itself.
extension SignerEvaluation {
    /// id-data, 1.2.840.113549.1.7.1, as a whole OBJECT IDENTIFIER element.
    private static let idData: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]

    /// A document signature signs id-data. Another signed content type (a time-stamp token's
    /// TSTInfo, an ESS receipt) is a signature over a structure of another protocol, whose bytes
    /// may be partly chosen by someone else: valid as what it is, but not a signed document.
    /// `contentType`: the signed contentType value, which equals the eContentType.
    func checkSignedContentType(_ contentType: ArraySlice<UInt8>, _ findings: inout Findings) {
        guard !DER.same(contentType, Self.idData) else { return }
        findings.fail("content-type", .indeterminate, .sigConstraintsFailure,
                      "The signer signed content of type \(Self.objectName(contentType)), not a document (id-data), so it is not accepted as a document signature.")
    }

    /// An attached signature (with eContent) checked against a separate file: the file is what
    /// `message-digest` compares with the signature; the embedded content must match what was
    /// signed too, or other tools, which show that content, would show something else than what
    /// this report calls valid.
    func checkEmbeddedContent(_ signer: SignedData.SignerInfo, _ findings: inout Findings) {
        guard let range = signer.encapsulatedContent,
              let signed = signer.signedValue(AttributeType.messageDigest, tag: 0x04) else { return }
        let digestName = Self.digestName(signer.digestAlgorithm.nid)
        guard let digest = AnyDigest(nid: signer.digestAlgorithm.nid) else {
            findings.warn("embedded-content", "The signature also carries content, which VanThu cannot compare with what was signed (\(digestName) is not supported).")
            return
        }
        signer.der.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[range])) }
        if DER.same(digest.finalize(), DER.contentOctets(signed)) {
            findings.warn("embedded-content",
                          "The signature also carries the signed content (\(range.count) bytes); the given file, not that content, was compared with the signature.")
        } else {
            findings.fail("embedded-content", .totalFailed, .hashFailure,
                          "The content embedded in the signature differs from what was signed: its \(digestName) digest does not match the signed messageDigest.")
        }
    }

    /// An OBJECT IDENTIFIER element as reports name it: OpenSSL's name, when it knows one, and the dotted form.
    static func objectName(_ element: ArraySlice<UInt8>) -> String {
        defer { OpenSSLErrorQueue.clear() }
        guard let object = decodeDER(element, { d2i_ASN1_OBJECT(nil, $0, $1) }) else { return "an unreadable object identifier" }
        defer { ASN1_OBJECT_free(object) }
        func text(_ numeric: Int32) -> String {
            var buffer = [CChar](repeating: 0, count: 128)
            let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, numeric)
            guard length > 0, length < buffer.count else { return "" }
            return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let dotted = text(1)
        let name = OBJ_obj2nid(object) == NID_undef ? "" : text(0)
        return name.isEmpty || name == dotted ? dotted : "\(name) (\(dotted))"
    }
}
