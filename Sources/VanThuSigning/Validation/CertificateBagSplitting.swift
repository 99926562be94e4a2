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

    static func split(_ der: [UInt8]) -> Split? {
        guard let outer = DER.element(der, at: 0, end: der.count), outer.tag == 0x30, outer.end == der.count,
              let type = DER.element(der, at: outer.valueStart, end: der.count), type.tag == 0x06,
              let explicit = DER.element(der, at: type.end, end: der.count), explicit.tag == 0xa0, explicit.end == der.count,
              let signedData = DER.element(der, at: explicit.valueStart, end: der.count), signedData.tag == 0x30,
              signedData.end == der.count else { return nil }
        var position = signedData.valueStart
        for expected: UInt8 in [0x02, 0x31, 0x30] {   // version, digestAlgorithms, encapContentInfo
            guard let field = DER.element(der, at: position, end: der.count), field.tag == expected else { return nil }
            position = field.end
        }
        guard let bag = DER.element(der, at: position, end: der.count), bag.tag == 0xa0,
              let members = DER.children(der, of: bag.value), !members.isEmpty,
              members.allSatisfy({ $0.tag == 0x30 }) else { return nil }
        let certificates = members.map { der[$0.whole] }
        let content = Array(der[signedData.valueStart..<bag.start]) + Array(der[bag.end...])
        let rebuilt = DER.tlv(0x30, Array(der[type.whole]) + DER.tlv(0xa0, DER.tlv(0x30, content)))
        return Split(signedDataWithoutCertificates: rebuilt, certificates: certificates)
    }
}
