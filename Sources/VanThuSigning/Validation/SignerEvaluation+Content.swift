import COpenSSL

/// What a signer says it signed: a document (id-data).
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
