/// Separates the certificates of a DER SignedData from the rest before OpenSSL parses it.
///
/// OpenSSL 3.0 decodes every embedded certificate's public key through its provider decoders
/// when it parses a CMS structure; that is three quarters of a verification's time, and it is
/// the same work for the same intermediates signature after signature. The certificates field
/// is not covered by the signature, so the CMS is parsed without it, and the certificates are
/// taken from the trust store's cache of parsed certificates, keyed by their exact DER.
/// Anything this walker does not recognise (BER indefinite lengths, attribute certificates,
/// a length that does not add up) returns nil and the whole structure goes to OpenSSL as it is.
enum CertificateBagSplitting {
    struct Split: Equatable {
        let signedDataWithoutCertificates: [UInt8]
        let certificates: [ArraySlice<UInt8>]
    }

    private struct Header {
        let tag: UInt8
        let headerLength: Int
        let length: Int
        var total: Int { headerLength + length }
    }

    /// A definite-length header at `offset` whose value ends at or before `end`.
    private static func header(_ der: [UInt8], at offset: Int, end: Int) -> Header? {
        guard offset + 2 <= end else { return nil }
        let tag = der[offset]
        let first = der[offset + 1]
        var length = 0
        var headerLength = 2
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7f)
            guard (1...4).contains(count), offset + 2 + count <= end else { return nil }
            for index in 0..<count { length = length << 8 | Int(der[offset + 2 + index]) }
            headerLength += count
        }
        guard length <= end - offset - headerLength else { return nil }
        return Header(tag: tag, headerLength: headerLength, length: length)
    }

    static func split(_ der: [UInt8]) -> Split? {
        guard let outer = header(der, at: 0, end: der.count), outer.tag == 0x30, outer.total == der.count else { return nil }
        var position = outer.headerLength
        guard let type = header(der, at: position, end: der.count), type.tag == 0x06 else { return nil }
        let typeRange = position..<(position + type.total)
        position += type.total
        guard let explicit = header(der, at: position, end: der.count), explicit.tag == 0xa0,
              position + explicit.total == der.count else { return nil }
        position += explicit.headerLength
        guard let signedData = header(der, at: position, end: der.count), signedData.tag == 0x30,
              position + signedData.total == der.count else { return nil }
        let contentStart = position + signedData.headerLength
        position = contentStart
        for expected: UInt8 in [0x02, 0x31, 0x30] {   // version, digestAlgorithms, encapContentInfo
            guard let field = header(der, at: position, end: der.count), field.tag == expected else { return nil }
            position += field.total
        }
        guard let bag = header(der, at: position, end: der.count), bag.tag == 0xa0 else { return nil }
        let bagStart = position
        let bagEnd = position + bag.total
        var certificates: [ArraySlice<UInt8>] = []
        var cursor = position + bag.headerLength
        while cursor < bagEnd {
            guard let certificate = header(der, at: cursor, end: bagEnd), certificate.tag == 0x30 else { return nil }
            certificates.append(der[cursor..<(cursor + certificate.total)])
            cursor += certificate.total
        }
        guard cursor == bagEnd, !certificates.isEmpty else { return nil }
        let content = Array(der[contentStart..<bagStart]) + Array(der[bagEnd...])
        let rebuilt = DER.tlv(0x30, Array(der[typeRange]) + DER.tlv(0xa0, DER.tlv(0x30, content)))
        return Split(signedDataWithoutCertificates: rebuilt, certificates: certificates)
    }
}
