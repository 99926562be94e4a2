import COpenSSL

/// A DER CMS SignedData (RFC 5652 §5) read in Swift, as positions in the signature's bytes.
///
/// Verification reads what it needs from here instead of from OpenSSL's `d2i_CMS_ContentInfo`,
/// whose template decoder, with the canonical form it builds of every name, was a third of a
/// verification's time. The walk is strict: one-byte tags, minimal definite lengths, every field
/// where RFC 5652 puts it and nothing left over. Whatever it does not accept (BER, PEM, other
/// content types, a shape it does not know) is decoded by OpenSSL and re-encoded as DER before it
/// is read here (see `CMSParsing`), so odd encodings get OpenSSL's reading, never a second one.
struct SignedData {
    let der: [UInt8]
    /// Each embedded X.509 certificate (CertificateChoices `certificate`), its whole DER.
    let certificates: [ArraySlice<UInt8>]
    let signers: [SignerInfo]
    /// The same ContentInfo without its certificates field (which no signature covers), for
    /// handing to OpenSSL's CMS parser without it decoding every certificate's key again.
    var withoutCertificates: [UInt8] {
        guard let certificatesField else { return der }
        let content = Array(der[signedDataContent.lowerBound..<certificatesField.lowerBound])
            + Array(der[certificatesField.upperBound..<signedDataContent.upperBound])
        return DER.tlv(0x30, Array(der[contentTypeField]) + DER.tlv(0xa0, DER.tlv(0x30, content)))
    }
    fileprivate let contentTypeField: Range<Int>
    fileprivate let signedDataContent: Range<Int>
    fileprivate let certificatesField: Range<Int>?

    struct AlgorithmIdentifier {
        /// The OBJECT IDENTIFIER element, whole.
        let oid: ArraySlice<UInt8>
        /// The parameters element, whole, when present.
        let parameters: ArraySlice<UInt8>?
    }

    struct Attribute {
        /// The content octets of the attribute type's OBJECT IDENTIFIER.
        let type: ArraySlice<UInt8>
        /// Each value of the SET OF, its whole element.
        let values: [ArraySlice<UInt8>]
    }

    enum SignerIdentifier {
        /// The issuer Name (whole element) and the serial number INTEGER (whole element).
        case issuerAndSerialNumber(issuer: ArraySlice<UInt8>, serialNumber: ArraySlice<UInt8>)
        case subjectKeyIdentifier(ArraySlice<UInt8>)
    }

    struct SignerInfo {
        let identifier: SignerIdentifier
        let digestAlgorithm: AlgorithmIdentifier
        /// The content of the [0] IMPLICIT signed attributes as encoded; nil when absent.
        let signedAttributesContent: ArraySlice<UInt8>?
        let signedAttributes: [Attribute]
        /// Whether the signed attributes, and the values of each, are in DER SET OF order, so
        /// that the bytes as encoded are the bytes RFC 5652 §5.4 says were signed.
        let signedAttributesInDEROrder: Bool
        let signatureAlgorithm: AlgorithmIdentifier
        let signatureValue: ArraySlice<UInt8>
        let unsignedAttributes: [Attribute]

        /// The one value of the one signed attribute of `type`, when its tag is `tag`; nil when
        /// the attribute is absent, repeated, multi-valued or of another type (as OpenSSL's
        /// `CMS_signed_get0_data_by_OBJ(…, -3, type)`).
        func signedValue(_ type: [UInt8], tag: UInt8) -> ArraySlice<UInt8>? {
            var found: Attribute?
            for attribute in signedAttributes where attribute.type.elementsEqual(type) {
                guard found == nil else { return nil }
                found = attribute
            }
            guard let found, found.values.count == 1, let value = found.values.first, value.first == tag else { return nil }
            return value
        }
    }

    /// id-signedData, 1.2.840.113549.1.7.2.
    private static let signedDataOID: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]

    /// Reads a ContentInfo holding SignedData with at least one signer; nil for anything else.
    static func decode(_ der: [UInt8]) -> SignedData? {
        let reader = Reader(der: der)
        guard let contentInfo = reader.element(at: 0, end: der.count), contentInfo.tag == 0x30, contentInfo.end == der.count,
              let outer = reader.children(of: contentInfo.value), outer.count == 2,
              outer[0].tag == 0x06, der[outer[0].value].elementsEqual(signedDataOID), outer[1].tag == 0xa0,
              let explicit = reader.children(of: outer[1].value), explicit.count == 1, explicit[0].tag == 0x30,
              let fields = reader.children(of: explicit[0].value), fields.count >= 4 else { return nil }
        // version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls, signerInfos.
        guard fields[0].tag == 0x02, fields[0].value.count == 1, fields[1].tag == 0x31,
              let digestAlgorithms = reader.children(of: fields[1].value),
              digestAlgorithms.allSatisfy({ reader.algorithm($0) != nil }),
              fields[2].tag == 0x30, reader.encapsulatedContentInfo(fields[2]) else { return nil }
        var position = 3
        var certificates: [ArraySlice<UInt8>] = []
        var certificatesField: Range<Int>?
        if fields[position].tag == 0xa0 {
            certificatesField = fields[position].whole
            guard let choices = reader.children(of: fields[position].value) else { return nil }
            // Only X.509 certificates serve verification; attribute and other certificates
            // ([1]–[3]) are skipped, as OpenSSL's CMS_get1_certs skips them.
            certificates = choices.filter { $0.tag == 0x30 }.map { der[$0.whole] }
            guard choices.allSatisfy({ [0x30, 0xa1, 0xa2, 0xa3].contains($0.tag) }) else { return nil }
            position += 1
        }
        if position < fields.count, fields[position].tag == 0xa1 { position += 1 }
        guard position == fields.count - 1, fields[position].tag == 0x31,
              let signerElements = reader.children(of: fields[position].value), !signerElements.isEmpty else { return nil }
        var signers: [SignerInfo] = []
        signers.reserveCapacity(signerElements.count)
        for element in signerElements {
            guard let signer = reader.signerInfo(element) else { return nil }
            signers.append(signer)
        }
        return SignedData(der: der, certificates: certificates, signers: signers, contentTypeField: outer[0].whole,
                          signedDataContent: explicit[0].value, certificatesField: certificatesField)
    }

    /// Strict DER reading over one buffer.
    private struct Reader {
        let der: [UInt8]

        func element(at offset: Int, end: Int) -> DER.Element? {
            DER.element(der, at: offset, end: end, strict: true)
        }

        func children(of range: Range<Int>) -> [DER.Element]? {
            DER.children(der, of: range, strict: true)
        }

        func algorithm(_ element: DER.Element) -> AlgorithmIdentifier? {
            guard element.tag == 0x30, let parts = children(of: element.value), (1...2).contains(parts.count),
                  parts[0].tag == 0x06, !parts[0].value.isEmpty else { return nil }
            return AlgorithmIdentifier(oid: der[parts[0].whole], parameters: parts.count == 2 ? der[parts[1].whole] : nil)
        }

        /// eContentType, and eContent when present: [0] EXPLICIT OCTET STRING.
        func encapsulatedContentInfo(_ element: DER.Element) -> Bool {
            guard let parts = children(of: element.value), (1...2).contains(parts.count),
                  parts[0].tag == 0x06, !parts[0].value.isEmpty else { return false }
            guard parts.count == 2 else { return true }
            guard parts[1].tag == 0xa0, let content = children(of: parts[1].value) else { return false }
            return content.count == 1 && content[0].tag == 0x04
        }

        func attributes(_ element: DER.Element) -> (attributes: [Attribute], derOrder: Bool)? {
            guard let members = children(of: element.value) else { return nil }
            var result: [Attribute] = []
            result.reserveCapacity(members.count)
            var derOrder = true
            for (index, member) in members.enumerated() {
                guard member.tag == 0x30, let parts = children(of: member.value), parts.count == 2,
                      parts[0].tag == 0x06, !parts[0].value.isEmpty, parts[1].tag == 0x31,
                      let values = children(of: parts[1].value), !values.isEmpty else { return nil }
                if index > 0, !der[members[index - 1].whole].lexicographicallyPrecedes(der[member.whole]) { derOrder = false }
                for (earlier, later) in zip(values, values.dropFirst())
                where !der[earlier.whole].lexicographicallyPrecedes(der[later.whole]) { derOrder = false }
                result.append(Attribute(type: der[parts[0].value], values: values.map { der[$0.whole] }))
            }
            return (result, derOrder)
        }

        func signerInfo(_ element: DER.Element) -> SignerInfo? {
            guard element.tag == 0x30, let parts = children(of: element.value), (5...7).contains(parts.count),
                  parts[0].tag == 0x02, parts[0].value.count == 1 else { return nil }
            let identifier: SignerIdentifier
            switch parts[1].tag {
            case 0x30:
                guard let sid = children(of: parts[1].value), sid.count == 2, sid[0].tag == 0x30, sid[1].tag == 0x02,
                      !sid[1].value.isEmpty else { return nil }
                identifier = .issuerAndSerialNumber(issuer: der[sid[0].whole], serialNumber: der[sid[1].whole])
            case 0x80:
                identifier = .subjectKeyIdentifier(der[parts[1].value])
            default:
                return nil
            }
            guard let digestAlgorithm = algorithm(parts[2]) else { return nil }
            var position = 3
            var signed: (attributes: [Attribute], derOrder: Bool) = ([], true)
            var signedContent: ArraySlice<UInt8>?
            if parts[position].tag == 0xa0 {
                guard let read = attributes(parts[position]) else { return nil }
                signed = read
                signedContent = der[parts[position].value]
                position += 1
            }
            guard position + 2 <= parts.count, let signatureAlgorithm = algorithm(parts[position]),
                  parts[position + 1].tag == 0x04 else { return nil }
            let value = der[parts[position + 1].value]
            position += 2
            var unsigned: [Attribute] = []
            if position < parts.count {
                guard parts[position].tag == 0xa1, let read = attributes(parts[position]) else { return nil }
                unsigned = read.attributes
                position += 1
            }
            guard position == parts.count else { return nil }
            return SignerInfo(identifier: identifier, digestAlgorithm: digestAlgorithm, signedAttributesContent: signedContent,
                              signedAttributes: signed.attributes, signedAttributesInDEROrder: signed.derOrder,
                              signatureAlgorithm: signatureAlgorithm, signatureValue: value, unsignedAttributes: unsigned)
        }
    }
}

/// Attribute types VanThu reads or rules on, as OBJECT IDENTIFIER content octets.
enum AttributeType {
    private static let pkcs9: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09]
    static let contentType = pkcs9 + [0x03]
    static let messageDigest = pkcs9 + [0x04]
    static let signingTime = pkcs9 + [0x05]
    static let countersignature = pkcs9 + [0x06]
    static let receiptRequest = pkcs9 + [0x10, 0x02, 0x01]
    static let signingCertificate = pkcs9 + [0x10, 0x02, 0x0c]
    static let signingCertificateV2 = pkcs9 + [0x10, 0x02, 0x2f]
}

/// For the fuzzing harness: the Swift reader must never accept what OpenSSL's parser refuses,
/// nor read it differently. Traps on any disagreement.
@_spi(Fuzzing) public enum SignedDataDifferential {
    public static func check(_ bytes: [UInt8]) {
        guard let ours = SignedData.decode(bytes) else { return }
        defer { OpenSSLErrorQueue.clear() }
        var consumed = 0
        let parsed: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            let result = d2i_CMS_ContentInfo(nil, &cursor, buffer.count)
            if let cursor, let base = buffer.baseAddress { consumed = cursor - base }
            return result
        }
        // OpenSSL also decodes the certificates and CRLs inside, which the reader leaves to
        // `Certificate` (and to nobody, for CRLs); only a disagreement on the rest is a finding.
        guard let parsed else { return }
        defer { CMS_ContentInfo_free(parsed) }
        precondition(consumed == bytes.count, "OpenSSL stopped before the end the Swift reader found")
        precondition(OBJ_obj2nid(CMS_get0_type(parsed)) == NID_pkcs7_signed)
        let signers = CMS_get0_SignerInfos(parsed)
        precondition(Int(vt_sk_CMS_SignerInfo_num(signers)) == ours.signers.count, "signer counts differ")
        for (index, signer) in ours.signers.enumerated() {
            guard let theirs = vt_sk_CMS_SignerInfo_value(signers, Int32(index)),
                  let value = CMS_SignerInfo_get0_signature(theirs) else { preconditionFailure("signer missing") }
            let bytes = UnsafeBufferPointer(start: ASN1_STRING_get0_data(value), count: Int(ASN1_STRING_length(value)))
            precondition(bytes.elementsEqual(signer.signatureValue), "signature values differ")
            precondition(Int(CMS_signed_get_attr_count(theirs)) == signer.signedAttributes.count || signer.signedAttributes.isEmpty,
                         "signed attribute counts differ")
            var digest: UnsafeMutablePointer<X509_ALGOR>?
            CMS_SignerInfo_get0_algs(theirs, nil, nil, &digest, nil)
            var object: OpaquePointer?
            X509_ALGOR_get0(&object, nil, nil, digest)
            precondition(OBJ_obj2nid(object) == CMSParsing.nid(of: signer.digestAlgorithm), "digest algorithms differ")
        }
    }
}
