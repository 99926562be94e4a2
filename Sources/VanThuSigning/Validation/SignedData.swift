import COpenSSL
import Synchronization

/// A DER CMS SignedData (RFC 5652 §5) read in Swift, as positions in the signature's bytes.
///
/// Verification reads what it needs from here instead of from OpenSSL's `d2i_CMS_ContentInfo`,
/// whose template decoder, with the canonical form it builds of every name, was a fifth of a
/// 10 KB RSA-2048 verification's time. The walk is strict: one-byte tags, minimal definite lengths, every field
/// where RFC 5652 puts it and nothing left over. Whatever it does not accept (BER, PEM, other
/// content types, a shape it does not know) is decoded by OpenSSL and re-encoded as DER before it
/// is read here (see `CMSParsing`), so odd encodings get OpenSSL's reading, never a second one.
struct SignedData {
    let der: [UInt8]
    /// The signature as received, when it was not DER and `der` is OpenSSL's re-encoding of it.
    /// Its signature values are then verified by OpenSSL on its own parse of these bytes: the
    /// re-encoding sorts the signed attributes, which `CMS_SignerInfo_verify` does not.
    var receivedAsNonDER: [UInt8]?
    /// Each embedded X.509 certificate (CertificateChoices `certificate`), where its whole DER lies.
    let certificateRanges: [Range<Int>]
    let signers: [SignerInfo]
    /// Each embedded X.509 certificate, its whole DER.
    var certificates: [ArraySlice<UInt8>] { certificateRanges.map { der[$0] } }
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

    // Fields are kept as positions in `der`, not as slices of it: a slice is a reference to the
    // whole signature, counted each time it is made, copied or dropped.

    struct AlgorithmIdentifier {
        /// The OBJECT IDENTIFIER element, whole.
        let oid: Range<Int>
        /// The parameters element, whole, when present.
        let parameters: Range<Int>?
        /// OpenSSL's NID for the OBJECT IDENTIFIER (NID_undef when unknown).
        let nid: Int32
    }

    struct Attribute {
        /// The content octets of the attribute type's OBJECT IDENTIFIER.
        let type: Range<Int>
        /// How many values the SET OF holds (at least one).
        let valueCount: Int
        /// The first value of the SET OF, its whole element.
        let firstValue: Range<Int>
    }

    enum SignerIdentifier {
        /// The issuer Name (whole element) and the serial number INTEGER (whole element).
        case issuerAndSerialNumber(issuer: ArraySlice<UInt8>, serialNumber: ArraySlice<UInt8>)
        case subjectKeyIdentifier(ArraySlice<UInt8>)
    }

    struct SignerInfo {
        /// The whole signature these positions are in.
        let der: [UInt8]
        fileprivate let identifierField: (tag: UInt8, first: Range<Int>, second: Range<Int>)
        let digestAlgorithm: AlgorithmIdentifier
        /// Where the content of the [0] IMPLICIT signed attributes lies; nil when absent.
        let signedAttributesRange: Range<Int>?
        let signedAttributes: [Attribute]
        /// Whether the signed attributes, and the values of each, are in DER SET OF order, so
        /// that the bytes as encoded are the bytes RFC 5652 §5.4 says were signed.
        let signedAttributesInDEROrder: Bool
        let signatureAlgorithm: AlgorithmIdentifier
        let signatureValueRange: Range<Int>
        let unsignedAttributes: [Attribute]
        /// Whether the SignedData's digestAlgorithms lists this signer's digest algorithm (by
        /// NID, as OpenSSL matches them); OpenSSL refuses to verify a signer whose is missing.
        let digestAlgorithmListed: Bool
        /// The first RFC 5652 §11 attribute rule this signer breaks (as `CMS_SignerInfo_verify`
        /// enforces them); nil when it breaks none.
        let attributeRuleViolation: AttributeRuleViolation?
        /// The SignedData's eContentType, its whole OBJECT IDENTIFIER element.
        let encapsulatedContentType: Range<Int>
        /// The content octets of the SignedData's eContent, when the signature carries its content.
        let encapsulatedContent: Range<Int>?

        var identifier: SignerIdentifier {
            identifierField.tag == 0x30
                ? .issuerAndSerialNumber(issuer: der[identifierField.first], serialNumber: der[identifierField.second])
                : .subjectKeyIdentifier(der[identifierField.first])
        }
        /// The content of the [0] IMPLICIT signed attributes as encoded; nil when absent.
        var signedAttributesContent: ArraySlice<UInt8>? { signedAttributesRange.map { der[$0] } }
        var signatureValue: ArraySlice<UInt8> { der[signatureValueRange] }
        var encapsulatedContentTypeElement: ArraySlice<UInt8> { der[encapsulatedContentType] }

        /// Whether `attribute` is of `type` (OBJECT IDENTIFIER content octets).
        func attribute(_ attribute: Attribute, is type: [UInt8]) -> Bool {
            // Through the buffer: a slice of `der` would be one more reference count per comparison.
            der.withUnsafeBufferPointer { DER.same(UnsafeBufferPointer(rebasing: $0[attribute.type]), type) }
        }

        /// The one value of the one signed attribute of `type`, when its tag is `tag`; nil when
        /// the attribute is absent, repeated, multi-valued or of another type (as OpenSSL's
        /// `CMS_signed_get0_data_by_OBJ(…, -3, type)`).
        func signedValue(_ type: [UInt8], tag: UInt8) -> ArraySlice<UInt8>? {
            var found: Range<Int>?
            for attribute in signedAttributes where self.attribute(attribute, is: type) {
                guard found == nil, attribute.valueCount == 1 else { return nil }
                found = attribute.firstValue
            }
            guard let found, der[found.lowerBound] == tag else { return nil }
            return der[found]
        }
    }

    /// id-signedData, 1.2.840.113549.1.7.2.
    private static let signedDataOID: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]

    /// Reads a ContentInfo holding SignedData with at least one signer; nil for anything else.
    /// `encodedByOpenSSL`: `der` is OpenSSL's own re-encoding of what it parsed, so the checks
    /// that only make sure OpenSSL would read the bytes as they are (canonical values, CRLs that
    /// parse) are skipped, and attribute certificates are passed over instead of refused.
    static func decode(_ der: [UInt8], encodedByOpenSSL: Bool = false) -> SignedData? {
        guard !encodedByOpenSSL else { return walk(der, encodedByOpenSSL: true) }
        if let known = Shapes.reading(der) { return known }
        guard let walked = walk(der, encodedByOpenSSL: false) else { return nil }
        Shapes.remember(walked)
        return walked
    }

    /// The same fields, read from `der`, which holds the same bytes outside `Shapes`' variable fields.
    fileprivate func rebased(onto der: [UInt8]) -> SignedData {
        SignedData(der: der, receivedAsNonDER: nil, certificateRanges: certificateRanges,
                   signers: signers.map { signer in
                       SignerInfo(der: der, identifierField: signer.identifierField, digestAlgorithm: signer.digestAlgorithm,
                                  signedAttributesRange: signer.signedAttributesRange, signedAttributes: signer.signedAttributes,
                                  signedAttributesInDEROrder: signer.signedAttributesInDEROrder,
                                  signatureAlgorithm: signer.signatureAlgorithm, signatureValueRange: signer.signatureValueRange,
                                  unsignedAttributes: signer.unsignedAttributes, digestAlgorithmListed: signer.digestAlgorithmListed,
                                  attributeRuleViolation: signer.attributeRuleViolation,
                                  encapsulatedContentType: signer.encapsulatedContentType,
                                  encapsulatedContent: signer.encapsulatedContent)
                   },
                   contentTypeField: contentTypeField, signedDataContent: signedDataContent, certificatesField: certificatesField)
    }

    /// Whether `other` reads the same fields at the same places (for the tests and the fuzzing
    /// harness, which compare a reading from `Shapes` with the strict walk's).
    func hasSameFields(as other: SignedData) -> Bool {
        func same(_ a: AlgorithmIdentifier, _ b: AlgorithmIdentifier) -> Bool { a.oid == b.oid && a.parameters == b.parameters && a.nid == b.nid }
        func same(_ a: [Attribute], _ b: [Attribute]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { $0.type == $1.type && $0.valueCount == $1.valueCount && $0.firstValue == $1.firstValue }
        }
        guard der == other.der, receivedAsNonDER == other.receivedAsNonDER, certificateRanges == other.certificateRanges,
              contentTypeField == other.contentTypeField, signedDataContent == other.signedDataContent,
              certificatesField == other.certificatesField, signers.count == other.signers.count else { return false }
        return zip(signers, other.signers).allSatisfy { a, b in
            a.der == b.der && a.identifierField == b.identifierField && same(a.digestAlgorithm, b.digestAlgorithm)
                && a.signedAttributesRange == b.signedAttributesRange && same(a.signedAttributes, b.signedAttributes)
                && a.signedAttributesInDEROrder == b.signedAttributesInDEROrder && same(a.signatureAlgorithm, b.signatureAlgorithm)
                && a.signatureValueRange == b.signatureValueRange && same(a.unsignedAttributes, b.unsignedAttributes)
                && a.digestAlgorithmListed == b.digestAlgorithmListed
                && a.attributeRuleViolation == b.attributeRuleViolation
                && a.encapsulatedContentType == b.encapsulatedContentType
                && a.encapsulatedContent == b.encapsulatedContent
        }
    }

    /// The strict walk itself, without `Shapes`.
    static func walk(_ der: [UInt8], encodedByOpenSSL: Bool) -> SignedData? {
        let reader = Reader(der: der, lenient: encodedByOpenSSL)
        guard let contentInfo = reader.element(at: 0, end: der.count), contentInfo.tag == 0x30, contentInfo.end == der.count,
              let outer = reader.children(of: contentInfo.value), outer.count == 2,
              outer[0].tag == 0x06, DER.same(der[outer[0].value], signedDataOID), outer[1].tag == 0xa0,
              let explicit = reader.children(of: outer[1].value), explicit.count == 1, explicit[0].tag == 0x30,
              let fields = reader.children(of: explicit[0].value), fields.count >= 4 else { return nil }
        // version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls, signerInfos.
        guard fields[0].tag == 0x02, fields[0].value.count == 1, fields[1].tag == 0x31,
              let digestAlgorithmElements = reader.children(of: fields[1].value) else { return nil }
        var digestNIDs: [Int32] = []
        digestNIDs.reserveCapacity(digestAlgorithmElements.count)
        for element in digestAlgorithmElements {
            guard let algorithm = reader.algorithm(element) else { return nil }
            digestNIDs.append(algorithm.nid)
        }
        guard fields[2].tag == 0x30, let encapsulated = reader.encapsulatedContentInfo(fields[2]) else { return nil }
        var position = 3
        var certificates: [Range<Int>] = []
        var certificatesField: Range<Int>?
        if fields[position].tag == 0xa0 {
            certificatesField = fields[position].whole
            // X.509 certificates only (parsed by `Certificate`, which refuses what OpenSSL refuses);
            // attribute and other certificates ([1]–[3]) are left to OpenSSL's parser.
            guard let choices = reader.children(of: fields[position].value),
                  encodedByOpenSSL || choices.allSatisfy({ $0.tag == 0x30 }) else { return nil }
            certificates = choices.filter { $0.tag == 0x30 }.map(\.whole)
            position += 1
        }
        if position < fields.count, fields[position].tag == 0xa1 {
            guard reader.revocationInformation(fields[position]) else { return nil }
            position += 1
        }
        guard position == fields.count - 1, fields[position].tag == 0x31,
              let signerElements = reader.children(of: fields[position].value), !signerElements.isEmpty else { return nil }
        var signers: [SignerInfo] = []
        signers.reserveCapacity(signerElements.count)
        for element in signerElements {
            guard let signer = reader.signerInfo(element, digestNIDs: digestNIDs, encapsulated: encapsulated) else { return nil }
            signers.append(signer)
        }
        return SignedData(der: der, receivedAsNonDER: nil, certificateRanges: certificates, signers: signers, contentTypeField: outer[0].whole,
                          signedDataContent: explicit[0].value, certificatesField: certificatesField)
    }

    /// Strict DER reading over one buffer.
    private struct Reader {
        let der: [UInt8]
        let lenient: Bool

        func element(at offset: Int, end: Int) -> DER.Element? {
            DER.element(der, at: offset, end: end, strict: true)
        }

        func children(of range: Range<Int>) -> [DER.Element]? {
            DER.children(der, of: range, strict: true)
        }

        func objectIdentifier(_ element: DER.Element) -> Bool {
            element.tag == 0x06 && (lenient || DER.isValidObjectIdentifier(der[element.value]))
        }

        func canonical(_ element: DER.Element) -> Bool { lenient || DER.isCanonicalValue(der, element) }

        func algorithm(_ element: DER.Element) -> AlgorithmIdentifier? {
            guard element.tag == 0x30, let parts = children(of: element.value), (1...2).contains(parts.count),
                  objectIdentifier(parts[0]), parts.count == 1 || canonical(parts[1]) else { return nil }
            return AlgorithmIdentifier(oid: parts[0].whole, parameters: parts.count == 2 ? parts[1].whole : nil,
                                       nid: CMSParsing.nid(ofObjectIdentifier: der[parts[0].whole]))
        }

        /// eContentType (its whole element), and eContent when present: [0] EXPLICIT OCTET STRING
        /// (its content octets).
        func encapsulatedContentInfo(_ element: DER.Element) -> (type: Range<Int>, content: Range<Int>?)? {
            guard let parts = children(of: element.value), (1...2).contains(parts.count), objectIdentifier(parts[0]) else {
                return nil
            }
            guard parts.count == 2 else { return (parts[0].whole, nil) }
            guard parts[1].tag == 0xa0, let content = children(of: parts[1].value),
                  content.count == 1, content[0].tag == 0x04 else { return nil }
            return (parts[0].whole, content[0].value)
        }

        /// RevocationInfoChoices: CRLs OpenSSL parses, or other formats (an OID and a value).
        func revocationInformation(_ element: DER.Element) -> Bool {
            guard let choices = children(of: element.value) else { return false }
            return lenient || choices.allSatisfy { choice in
                switch choice.tag {
                case 0x30:
                    let bytes = der[choice.whole]
                    guard let crl = decodeDER(bytes, { d2i_X509_CRL(nil, $0, $1) }) else { OpenSSLErrorQueue.clear(); return false }
                    X509_CRL_free(crl)
                    return true
                case 0xa1:
                    guard let parts = children(of: choice.value), parts.count == 2 else { return false }
                    return objectIdentifier(parts[0]) && canonical(parts[1])
                default:
                    return false
                }
            }
        }

        /// Attributes whose every value OpenSSL reads and encodes back unchanged (so that the
        /// signed ones, as encoded, are the bytes `CMS_SignerInfo_verify` verifies).
        func attributes(_ element: DER.Element) -> (attributes: [Attribute], derOrder: Bool)? {
            guard let members = children(of: element.value) else { return nil }
            var result: [Attribute] = []
            result.reserveCapacity(members.count)
            var derOrder = true
            for (index, member) in members.enumerated() {
                guard member.tag == 0x30, let parts = children(of: member.value), parts.count == 2,
                      objectIdentifier(parts[0]), parts[1].tag == 0x31,
                      let values = children(of: parts[1].value), !values.isEmpty,
                      values.allSatisfy(canonical) else { return nil }
                if index > 0, !der[members[index - 1].whole].lexicographicallyPrecedes(der[member.whole]) { derOrder = false }
                for (earlier, later) in zip(values, values.dropFirst())
                where !der[earlier.whole].lexicographicallyPrecedes(der[later.whole]) { derOrder = false }
                result.append(Attribute(type: parts[0].value, valueCount: values.count, firstValue: values[0].whole))
            }
            return (result, derOrder)
        }

        func signerInfo(_ element: DER.Element, digestNIDs: [Int32],
                        encapsulated: (type: Range<Int>, content: Range<Int>?)) -> SignerInfo? {
            guard element.tag == 0x30, let parts = children(of: element.value), (5...7).contains(parts.count),
                  parts[0].tag == 0x02, parts[0].value.count == 1 else { return nil }
            let identifier: (tag: UInt8, first: Range<Int>, second: Range<Int>)
            switch parts[1].tag {
            case 0x30:
                guard let sid = children(of: parts[1].value), sid.count == 2, sid[0].tag == 0x30, sid[1].tag == 0x02,
                      DER.isMinimalInteger(der[sid[1].value]), lenient || IssuerNames.parse(der[sid[0].whole]) else { return nil }
                identifier = (0x30, sid[0].whole, sid[1].whole)
            case 0x80:
                identifier = (0x80, parts[1].value, parts[1].value)
            default:
                return nil
            }
            guard let digestAlgorithm = algorithm(parts[2]) else { return nil }
            var position = 3
            var signed: (attributes: [Attribute], derOrder: Bool) = ([], true)
            var signedContent: Range<Int>?
            if parts[position].tag == 0xa0 {
                guard let read = attributes(parts[position]) else { return nil }
                signed = read
                signedContent = parts[position].value
                position += 1
            }
            guard position + 2 <= parts.count, let signatureAlgorithm = algorithm(parts[position]),
                  parts[position + 1].tag == 0x04 else { return nil }
            let value = parts[position + 1].value
            position += 2
            var unsigned: [Attribute] = []
            if position < parts.count {
                guard parts[position].tag == 0xa1, let read = attributes(parts[position]) else { return nil }
                unsigned = read.attributes
                position += 1
            }
            guard position == parts.count else { return nil }
            return SignerInfo(der: der, identifierField: identifier, digestAlgorithm: digestAlgorithm, signedAttributesRange: signedContent,
                              signedAttributes: signed.attributes, signedAttributesInDEROrder: signed.derOrder,
                              signatureAlgorithm: signatureAlgorithm, signatureValueRange: value, unsignedAttributes: unsigned,
                              digestAlgorithmListed: digestNIDs.contains(digestAlgorithm.nid),
                              attributeRuleViolation: AttributeRuleViolation.first(in: der, signed: signed.attributes, unsigned: unsigned),
                              encapsulatedContentType: encapsulated.type, encapsulatedContent: encapsulated.content)
        }
    }
}

/// The shapes of signatures read before. One signer's signatures, made by one program, are the
/// same bytes but for three fields: the messageDigest value, the signingTime value and the
/// signature value, each of a fixed length. A signature whose bytes equal a known one's outside
/// those fields' contents has every length, tag, position and order the strict walk checked, and
/// the walk looks at none of those contents (an OCTET STRING's content is any bytes; a time's
/// length is all it checks), so its reading is the known one's positions over the new bytes.
/// Comparing the bytes costs a few `memcmp`s where the walk cost about 7% of a 10 KB RSA-2048
/// verification.
///
/// Only a signature with one signer whose signed attributes are each of a distinct type and
/// single-valued gets a shape: then the DER order of the attributes is settled by their types,
/// before any variable content.
enum Shapes {
    struct Shape: @unchecked Sendable {
        let signedData: SignedData
        /// The variable contents, ascending and disjoint.
        let gaps: [Range<Int>]

        /// The shape of a signature walked strictly; nil when it does not qualify.
        init?(_ signedData: SignedData) {
            guard let gaps = Self.variableContents(signedData) else { return nil }
            self.signedData = signedData
            self.gaps = gaps
        }

        /// The reading of `der` when it has this shape; nil otherwise.
        func reading(_ der: [UInt8]) -> SignedData? { matches(der) ? signedData.rebased(onto: der) : nil }

        func matches(_ der: [UInt8]) -> Bool {
            let known = signedData.der
            guard known.count == der.count else { return false }
            return known.withUnsafeBufferPointer { left in
                der.withUnsafeBufferPointer { right in
                    func same(_ range: Range<Int>) -> Bool {
                        range.isEmpty || memcmp(left.baseAddress! + range.lowerBound, right.baseAddress! + range.lowerBound, range.count) == 0
                    }
                    var start = 0
                    for gap in gaps {
                        guard same(start..<gap.lowerBound) else { return false }
                        start = gap.upperBound
                    }
                    return same(start..<der.count)
                }
            }
        }

        /// The contents of the messageDigest OCTET STRING, the signingTime UTCTime or
        /// GeneralizedTime and the signature value; nil when the signature does not qualify.
        private static func variableContents(_ signedData: SignedData) -> [Range<Int>]? {
            guard signedData.receivedAsNonDER == nil, signedData.signers.count == 1, let signer = signedData.signers.first,
                  signer.signedAttributesRange != nil, signer.signedAttributes.allSatisfy({ $0.valueCount == 1 }) else { return nil }
            let der = signedData.der
            let types = signer.signedAttributes.map { Array(der[$0.type]) }
            guard Set(types).count == types.count else { return nil }
            var gaps = [signer.signatureValueRange]
            for (type, tags) in [(AttributeType.messageDigest, [UInt8(0x04)]), (AttributeType.signingTime, [0x17, 0x18])] {
                guard let attribute = signer.signedAttributes.first(where: { signer.attribute($0, is: type) }),
                      tags.contains(der[attribute.firstValue.lowerBound]),
                      let value = DER.element(der, at: attribute.firstValue.lowerBound, end: attribute.firstValue.upperBound) else { continue }
                gaps.append(value.value)
            }
            return gaps.sorted { $0.lowerBound < $1.lowerBound }
        }
    }

    /// The shapes of the signers and programs seen lately, the most recently used last.
    private static let known = Mutex<[Shape]>([])
    private static let limit = 32
    /// Larger signatures (an attached document, a long chain) are not kept: each shape holds
    /// its signature's bytes.
    static let largestKept = 64 << 10

    /// The reading of `der` from a known shape; nil when none matches.
    static func reading(_ der: [UInt8]) -> SignedData? {
        guard der.count <= largestKept else { return nil }
        let found = known.withLock { list -> Shape? in
            guard let index = list.lastIndex(where: { $0.matches(der) }) else { return nil }
            if index != list.count - 1 { list.append(list.remove(at: index)) }
            return list[list.count - 1]
        }
        return found?.signedData.rebased(onto: der)
    }

    static func remember(_ signedData: SignedData) {
        guard signedData.der.count <= largestKept, let shape = Shape(signedData) else { return }
        known.withLock { list in
            guard !list.contains(where: { $0.matches(signedData.der) }) else { return }
            if list.count >= limit { list.removeFirst() }
            list.append(shape)
        }
    }
}

/// The signer identifiers' issuer names OpenSSL has parsed. A Name's rules (RDN structure,
/// permitted string types, their encodings, the canonical form OpenSSL builds) are OpenSSL's,
/// so it is asked once per distinct name: the same issuers come back signature after signature.
enum IssuerNames {
    private static let known = Mutex<Set<DERKey>>([])
    private static let limit = 10_000

    static func parse(_ der: ArraySlice<UInt8>) -> Bool {
        if known.withLock({ $0.contains(DERKey(der)) }) { return true }
        guard let name = decodeDER(der, { d2i_X509_NAME(nil, $0, $1) }) else { OpenSSLErrorQueue.clear(); return false }
        var encoded: UnsafePointer<UInt8>?
        var length = 0
        let whole = X509_NAME_get0_der(name, &encoded, &length) == 1 && length == der.count
        X509_NAME_free(name)
        guard whole else { return false }
        known.withLock {
            if $0.count >= limit { $0.removeAll(keepingCapacity: true) }
            $0.insert(DERKey(Array(der)))
        }
        return true
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

/// An RFC 5652 §11 (and RFC 2634 / RFC 5035) attribute rule a SignerInfo breaks, as OpenSSL's
/// `CMS_SignerInfo_verify` enforces them: contentType, messageDigest, signingTime and the ESS
/// attributes appear at most once, with one value, and only signed; countersignatures only unsigned.
enum AttributeRuleViolation: Equatable {
    case countersignatureSigned
    /// `signedOnly[index]` appears more than once among the signed attributes.
    case repeated(Int)
    /// `signedOnly[index]` has `values` values.
    case multiValued(Int, values: Int)
    /// `signedOnly[index]` appears among the unsigned attributes.
    case unsigned(Int)

    /// The attribute types that must be signed, once, with one value; each with its name and the rule.
    static let signedOnly: [(type: [UInt8], name: String, rule: String)] = [
        (AttributeType.contentType, "contentType", "RFC 5652 §11.1"),
        (AttributeType.messageDigest, "messageDigest", "RFC 5652 §11.2"),
        (AttributeType.signingTime, "signingTime", "RFC 5652 §11.3"),
        (AttributeType.signingCertificate, "ESS signingCertificate", "RFC 2634 §5.4"),
        (AttributeType.signingCertificateV2, "ESS signingCertificateV2", "RFC 5035 §5.4"),
        (AttributeType.receiptRequest, "ESS receiptRequest", "RFC 2634 §2.7"),
    ]

    /// The first violation among `signed` and `unsigned` (attributes of a SignerInfo in `der`).
    static func first(in der: [UInt8], signed: [SignedData.Attribute], unsigned: [SignedData.Attribute]) -> Self? {
        func index(of attribute: SignedData.Attribute, among types: [[UInt8]]) -> Int? {
            der.withUnsafeBufferPointer { buffer in
                let type = UnsafeBufferPointer(rebasing: buffer[attribute.type])
                return types.firstIndex { DER.same(type, $0) }
            }
        }
        var seen: UInt32 = 0   // bit i: signedOnly[i] met
        for attribute in signed {
            if index(of: attribute, among: [AttributeType.countersignature]) != nil { return .countersignatureSigned }
            guard let position = index(of: attribute, among: signedOnlyTypes) else { continue }
            let bit = UInt32(1) << UInt32(position)
            if seen & bit != 0 { return .repeated(position) }
            if attribute.valueCount != 1 { return .multiValued(position, values: attribute.valueCount) }
            seen |= bit
        }
        for attribute in unsigned {
            if let position = index(of: attribute, among: signedOnlyTypes) { return .unsigned(position) }
        }
        return nil
    }

    private static let signedOnlyTypes = signedOnly.map(\.type)

    /// One sentence naming the rule, for the report.
    var reason: String {
        switch self {
        case .countersignatureSigned:
            return "A countersignature is among the signed attributes, which RFC 5652 §11.4 forbids: it may only be unsigned."
        case .repeated(let index):
            let (_, name, rule) = Self.signedOnly[index]
            return "The signed attributes hold the \(name) attribute more than once, which \(rule) forbids."
        case .multiValued(let index, let values):
            let (_, name, rule) = Self.signedOnly[index]
            return "The \(name) signed attribute holds \(values) values, which \(rule) forbids: it must hold exactly one."
        case .unsigned(let index):
            let (_, name, rule) = Self.signedOnly[index]
            return "The \(name) attribute is among the unsigned attributes, which \(rule) forbids: it must be signed."
        }
    }
}

/// For the fuzzing harness: whatever the Swift reader accepts, OpenSSL's parser must accept too
/// (without the certificates, which `Certificate` parses on its own), read the same way, and
/// encode the signed attributes to exactly the bytes the reader found, which are the bytes the
/// faster path verifies. Traps on any disagreement.
@_spi(Fuzzing) public enum SignedDataDifferential {
    public static func check(_ bytes: [UInt8]) {
        let walked = SignedData.walk(bytes, encodedByOpenSSL: false)
        guard let ours = SignedData.decode(bytes) else {
            precondition(walked == nil, "the strict walk reads what decoding refuses")
            return
        }
        // A reading from a known shape must be the strict walk's, field for field.
        guard let walked, ours.hasSameFields(as: walked) else { preconditionFailure("a shape reads other fields than the strict walk") }
        defer { OpenSSLErrorQueue.clear() }
        let stripped = ours.withoutCertificates
        let (parsed, consumed) = CMSParsing.parsedByOpenSSL(stripped)
        guard let parsed else { preconditionFailure("OpenSSL refuses what the Swift reader accepts") }
        let cms = CMSBacking(taking: parsed)
        withExtendedLifetime(cms) {
            precondition(consumed == stripped.count, "OpenSSL stopped before the end the Swift reader found")
            precondition(OBJ_obj2nid(CMS_get0_type(parsed)) == NID_pkcs7_signed)
            let signers = CMS_get0_SignerInfos(parsed)
            precondition(Int(vt_sk_CMS_SignerInfo_num(signers)) == ours.signers.count, "signer counts differ")
            // The encapsulated content type and content, which the signed-content checks compare.
            if let first = ours.signers.first {
                let type = DER.contentOctets(first.encapsulatedContentTypeElement)
                let theirType = CMS_get0_eContentType(parsed)
                precondition(UnsafeBufferPointer(start: OBJ_get0_data(theirType), count: OBJ_length(theirType)).elementsEqual(type),
                             "eContentTypes differ")
                let content = CMS_get0_content(parsed)?.pointee
                precondition((content == nil) == (first.encapsulatedContent == nil), "eContent presence differs")
                if let content, let range = first.encapsulatedContent {
                    precondition(UnsafeBufferPointer(start: ASN1_STRING_get0_data(content), count: Int(ASN1_STRING_length(content)))
                        .elementsEqual(ours.der[range]), "eContents differ")
                }
            }
            for (index, signer) in ours.signers.enumerated() {
                guard let theirs = vt_sk_CMS_SignerInfo_value(signers, Int32(index)),
                      let value = CMS_SignerInfo_get0_signature(theirs) else { preconditionFailure("signer missing") }
                let bytes = UnsafeBufferPointer(start: ASN1_STRING_get0_data(value), count: Int(ASN1_STRING_length(value)))
                precondition(bytes.elementsEqual(signer.signatureValue), "signature values differ")
                var digest: UnsafeMutablePointer<X509_ALGOR>?
                CMS_SignerInfo_get0_algs(theirs, nil, nil, &digest, nil)
                var object: OpaquePointer?
                X509_ALGOR_get0(&object, nil, nil, digest)
                precondition(OBJ_obj2nid(object) == signer.digestAlgorithm.nid, "digest algorithms differ")
                // What CMS_SignerInfo_verify verifies: each attribute encoded, in the order given
                // (the values of each sorted as a SET OF). The faster path relies on it when the
                // reader found attributes and values in DER order.
                guard signer.signedAttributesInDEROrder else { continue }
                var encoded: [UInt8] = []
                for attributeIndex in 0..<max(CMS_signed_get_attr_count(theirs), 0) {
                    encoded += encodeDER({ i2d_X509_ATTRIBUTE(CMS_signed_get_attr(theirs, attributeIndex), $0) }) ?? []
                }
                precondition(encoded.elementsEqual(signer.signedAttributesContent ?? []), "signed attributes encode differently")
            }
        }
    }
}
