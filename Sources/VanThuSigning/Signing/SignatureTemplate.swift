import COpenSSL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What stays the same in every CAdES signature one identity makes with one configuration: the
/// signer identifier, algorithm identifiers, ESS signing-certificate-v2 and contentType
/// attributes, and the certificate set, all as OpenSSL's CMS code encoded them once.
///
/// Assembling a signature with `CMS_add1_signer` costs three ECDSA signatures' worth of time
/// (ESS hashing of the certificate, attribute and structure encoding). With a template, a
/// signature only encodes its messageDigest and signingTime attributes, sorts the signed
/// attributes as a DER SET OF, signs that SET with the private key, and splices the result in.
/// The template is taken from a real signature made by OpenSSL's CMS code, and is only used when
/// splicing that signature's own parts back together reproduces it byte for byte.
final class SignatureTemplate: @unchecked Sendable {
    struct Configuration: Hashable, Sendable {
        let digest: DigestAlgorithm
        let padding: RSASignaturePadding
        let includeSigningTime: Bool
    }

    let configuration: Configuration
    /// The ContentInfo's contentType (id-signedData), as a whole TLV.
    private let contentType: [UInt8]
    /// SignedData fields before signerInfos: version, digestAlgorithms, encapContentInfo, certificates.
    private let signedDataPrefix: [UInt8]
    /// SignerInfo fields before signedAttrs: version, sid, digestAlgorithm.
    private let signerInfoPrefix: [UInt8]
    /// Each signed attribute other than messageDigest and signingTime, as a whole TLV.
    private let fixedAttributes: [[UInt8]]
    /// The signatureAlgorithm AlgorithmIdentifier TLV.
    private let signatureAlgorithm: [UInt8]
    /// Contexts set up for EVP_PKEY_sign with the key, digest and padding, each used by one
    /// signature at a time.
    private let signingContexts: KeyOperationContexts
    private let maximumSignatureLength: Int
    /// The signed attributes' SET OF, sorted, with room for messageDigest and signingTime: one
    /// for a UTCTime signing time (or none), one for GeneralizedTime (from 2050).
    private let utcLayout: Layout?
    private let generalizedLayout: Layout?

    /// The bytes of a DER SET OF the signed attributes, whole, and where its variable parts go.
    /// DER orders attributes by their encodings; those of distinct attribute types differ in
    /// their length or type before the digest or time bytes, so the order does not depend on
    /// them (checked when the layout is made, with both all-zero and all-one placeholders).
    private struct Layout {
        let setOf: [UInt8]
        let headerLength: Int
        let digestOffset: Int
        let timeOffset: Int?
        let timeLength: Int
    }

    static let messageDigestOID: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04]
    static let signingTimeOID: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05]

    /// The template of `prototype`, a DER signature OpenSSL made for this key and configuration;
    /// nil when its layout is not the one expected or cannot be reproduced exactly.
    init?(prototype: [UInt8], key: PrivateKeyBacking, configuration: Configuration) {
        guard let parts = Self.decompose(prototype, includeSigningTime: configuration.includeSigningTime),
              let contexts = KeyOperationContexts(signingWith: key, configuration: configuration) else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        self.configuration = configuration
        contentType = parts.contentType
        signedDataPrefix = parts.signedDataPrefix
        signerInfoPrefix = parts.signerInfoPrefix
        fixedAttributes = parts.fixedAttributes
        signatureAlgorithm = parts.signatureAlgorithm
        signingContexts = contexts
        maximumSignatureLength = Int(EVP_PKEY_get_size(key.pointer))
        utcLayout = Self.layout(fixed: parts.fixedAttributes, digestLength: configuration.digest.byteCount,
                                timeLength: configuration.includeSigningTime ? 13 : nil)
        generalizedLayout = Self.layout(fixed: parts.fixedAttributes, digestLength: configuration.digest.byteCount,
                                        timeLength: configuration.includeSigningTime ? 15 : nil)
        // Splicing the prototype's own attributes and signature value must give the prototype back.
        let attributes = Self.sortedSet(parts.fixedAttributes + parts.variableAttributes)
        guard assemble(signedAttributes: attributes[...], signatureValue: parts.signatureValue) == prototype else { return nil }
    }

    private static func layout(fixed: [[UInt8]], digestLength: Int, timeLength: Int?) -> Layout? {
        func variable(_ filler: UInt8) -> [[UInt8]] {
            var result = [attribute(messageDigestOID, value: DER.tlv(0x04, [UInt8](repeating: filler, count: digestLength)))]
            if let timeLength {
                result.append(attribute(signingTimeOID, value: DER.tlv(timeLength == 13 ? 0x17 : 0x18,
                                                                       [UInt8](repeating: filler, count: timeLength))))
            }
            return result
        }
        func order(_ filler: UInt8) -> [Int] {
            let all = fixed + variable(filler)
            return all.indices.sorted { all[$0].lexicographicallyPrecedes(all[$1]) }
        }
        let sorted = order(0x00)
        guard sorted == order(0xff) else { return nil }
        let all = fixed + variable(0)
        let contentLength = all.reduce(0) { $0 + $1.count }
        var setOf: [UInt8] = []
        setOf.reserveCapacity(DER.headerLength(contentLength) + contentLength)
        DER.appendHeader(&setOf, tag: 0x31, length: contentLength)
        let headerLength = setOf.count
        var digestOffset = 0
        var timeOffset: Int?
        for index in sorted {
            setOf.append(contentsOf: all[index])
            // The digest and the time are the last bytes of their attributes.
            if index == fixed.count { digestOffset = setOf.count - digestLength }
            if index == fixed.count + 1, let timeLength { timeOffset = setOf.count - timeLength }
        }
        return Layout(setOf: setOf, headerLength: headerLength, digestOffset: digestOffset, timeOffset: timeOffset,
                      timeLength: timeLength ?? 0)
    }

    /// A complete DER ContentInfo signing `messageDigest`. Blocking: one private-key operation.
    /// `extraAttributes` (whole Attribute TLVs) lets tests make signatures OpenSSL would not.
    func sign(messageDigest: [UInt8], signingTime: Date, extraAttributes: [[UInt8]] = []) throws -> [UInt8] {
        let time = Self.brokenDown(signingTime)
        if extraAttributes.isEmpty, messageDigest.count == configuration.digest.byteCount,
           let layout = Self.isUTCTimeYear(time.tm_year + 1900) ? utcLayout : generalizedLayout {
            var setOf = layout.setOf
            setOf.withUnsafeMutableBufferPointer { buffer in
                for (index, byte) in messageDigest.enumerated() { buffer[layout.digestOffset + index] = byte }
                if let timeOffset = layout.timeOffset {
                    Self.writeTime(time, into: UnsafeMutableBufferPointer(rebasing: buffer[timeOffset..<timeOffset + layout.timeLength]))
                }
            }
            let value = try signingContexts.sign(setOf, maximumLength: maximumSignatureLength)
            return assemble(signedAttributes: setOf[layout.headerLength...], signatureValue: value)
        }
        var attributes = fixedAttributes + extraAttributes
        attributes.append(Self.attribute(Self.messageDigestOID, value: DER.tlv(0x04, messageDigest)))
        if configuration.includeSigningTime {
            attributes.append(Self.attribute(Self.signingTimeOID, value: Self.encodeTime(signingTime)))
        }
        let signedAttributes = Self.sortedSet(attributes)
        // Signed as a DER SET OF (RFC 5652 §5.4), embedded as [0] IMPLICIT.
        let value = try signingContexts.sign(DER.tlv(0x31, signedAttributes), maximumLength: maximumSignatureLength)
        return assemble(signedAttributes: signedAttributes[...], signatureValue: value)
    }

    /// ContentInfo { id-signedData, [0] SignedData { prefix, SET { SignerInfo { prefix,
    /// [0] signedAttrs, signatureAlgorithm, OCTET STRING signature } } } }.
    private func assemble(signedAttributes: ArraySlice<UInt8>, signatureValue: [UInt8]) -> [UInt8] {
        func total(_ length: Int) -> Int { DER.headerLength(length) + length }
        let signerInfoLength = signerInfoPrefix.count + total(signedAttributes.count) + signatureAlgorithm.count
            + total(signatureValue.count)
        let signerInfosLength = total(signerInfoLength)
        let signedDataLength = signedDataPrefix.count + total(signerInfosLength)
        let explicitLength = total(signedDataLength)
        let contentInfoLength = contentType.count + total(explicitLength)
        var out = [UInt8]()
        out.reserveCapacity(total(contentInfoLength))
        DER.appendHeader(&out, tag: 0x30, length: contentInfoLength)
        out.append(contentsOf: contentType)
        DER.appendHeader(&out, tag: 0xa0, length: explicitLength)
        DER.appendHeader(&out, tag: 0x30, length: signedDataLength)
        out.append(contentsOf: signedDataPrefix)
        DER.appendHeader(&out, tag: 0x31, length: signerInfosLength)
        DER.appendHeader(&out, tag: 0x30, length: signerInfoLength)
        out.append(contentsOf: signerInfoPrefix)
        DER.appendHeader(&out, tag: 0xa0, length: signedAttributes.count)
        out.append(contentsOf: signedAttributes)
        out.append(contentsOf: signatureAlgorithm)
        DER.appendHeader(&out, tag: 0x04, length: signatureValue.count)
        out.append(contentsOf: signatureValue)
        return out
    }

    // MARK: - Encoding the attributes that change

    static func attribute(_ oid: [UInt8], value: [UInt8]) -> [UInt8] {
        DER.tlv(0x30, oid + DER.tlv(0x31, value))
    }

    /// The content of a DER SET OF: elements in ascending order of their encodings (X.690 §11.6).
    static func sortedSet(_ elements: [[UInt8]]) -> [UInt8] {
        elements.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 }
    }

    /// UTCTime through 2049 and GeneralizedTime from 2050, as RFC 5652 §11.3 and OpenSSL's
    /// ASN1_TIME_set choose, to the second, in UTC.
    static func encodeTime(_ date: Date) -> [UInt8] {
        let time = brokenDown(date)
        let utc = isUTCTimeYear(time.tm_year + 1900)
        var digits = [UInt8](repeating: 0, count: utc ? 13 : 15)
        digits.withUnsafeMutableBufferPointer { writeTime(time, into: $0) }
        return DER.tlv(utc ? 0x17 : 0x18, digits)
    }

    static func isUTCTimeYear(_ year: Int32) -> Bool { (1950...2049).contains(year) }

    static func brokenDown(_ date: Date) -> tm {
        var seconds = date.unixTime
        var broken = tm()
        gmtime_r(&seconds, &broken)
        return broken
    }

    /// YYMMDDhhmmssZ into 13 bytes, or YYYYMMDDhhmmssZ into 15.
    static func writeTime(_ broken: tm, into out: UnsafeMutableBufferPointer<UInt8>) {
        var position = out.startIndex
        func put(_ value: Int32, width: Int) {
            var rest = value
            for index in stride(from: position + width - 1, through: position, by: -1) {
                out[index] = UInt8(48 + rest % 10)
                rest /= 10
            }
            position += width
        }
        let year = broken.tm_year + 1900
        if out.count == 13 { put(year % 100, width: 2) } else { put(year, width: 4) }
        for field in [broken.tm_mon + 1, broken.tm_mday, broken.tm_hour, broken.tm_min, broken.tm_sec] { put(field, width: 2) }
        out[position] = 0x5a   // "Z"
    }

    // MARK: - Taking the prototype apart

    private struct Parts {
        var contentType: [UInt8]
        var signedDataPrefix: [UInt8]
        var signerInfoPrefix: [UInt8]
        var fixedAttributes: [[UInt8]]
        var variableAttributes: [[UInt8]]
        var signatureAlgorithm: [UInt8]
        var signatureValue: [UInt8]
    }

    private static func decompose(_ der: [UInt8], includeSigningTime: Bool) -> Parts? {
        func bytes(_ range: Range<Int>) -> [UInt8] { Array(der[range]) }
        guard let contentInfo = DER.element(der, at: 0, end: der.count), contentInfo.tag == 0x30, contentInfo.end == der.count,
              let outer = DER.children(der, of: contentInfo.value), outer.count == 2, outer[0].tag == 0x06, outer[1].tag == 0xa0,
              let explicit = DER.children(der, of: outer[1].value), explicit.count == 1, explicit[0].tag == 0x30,
              let signedData = DER.children(der, of: explicit[0].value), let signerInfos = signedData.last, signerInfos.tag == 0x31,
              let signers = DER.children(der, of: signerInfos.value), signers.count == 1, signers[0].tag == 0x30,
              let fields = DER.children(der, of: signers[0].value), fields.count == 6,
              fields[3].tag == 0xa0, fields[4].tag == 0x30, fields[5].tag == 0x04,
              let attributes = DER.children(der, of: fields[3].value) else { return nil }
        var fixed: [[UInt8]] = []
        var variable: [[UInt8]] = []
        var sawDigest = false
        var sawTime = false
        for attribute in attributes {
            guard attribute.tag == 0x30, let type = DER.element(der, at: attribute.valueStart, end: attribute.end),
                  type.tag == 0x06 else { return nil }
            let oid = bytes(type.whole)
            if oid == messageDigestOID {
                sawDigest = true
                variable.append(bytes(attribute.whole))
            } else if oid == signingTimeOID {
                sawTime = true
                variable.append(bytes(attribute.whole))
            } else {
                fixed.append(bytes(attribute.whole))
            }
        }
        guard sawDigest, sawTime == includeSigningTime else { return nil }
        let signedDataFields = signedData.dropLast()
        guard let firstField = signedDataFields.first, let lastField = signedDataFields.last else { return nil }
        return Parts(contentType: bytes(outer[0].whole),
                     signedDataPrefix: bytes(firstField.start..<lastField.end),
                     signerInfoPrefix: bytes(fields[0].start..<fields[2].end),
                     fixedAttributes: fixed, variableAttributes: variable,
                     signatureAlgorithm: bytes(fields[4].whole),
                     signatureValue: bytes(fields[5].value))
    }
}

extension KeyOperationContexts {
    /// Contexts for EVP_PKEY_sign with a template's key, digest and padding.
    convenience init?(signingWith key: PrivateKeyBacking, configuration: SignatureTemplate.Configuration) {
        self.init(key: key.pointer, owner: key, operation: .sign, digestNID: configuration.digest.nid,
                  pss: configuration.padding == .pss)
    }

    /// The signature of `message` (hashed with the contexts' digest).
    func sign(_ message: [UInt8], maximumLength: Int) throws -> [UInt8] {
        var length = maximumLength
        var value = [UInt8](repeating: 0, count: maximumLength)
        let signed = message.withUnsafeBytes { bytes in
            run(over: bytes) { keyContext, hash in
                EVP_PKEY_sign(keyContext, &value, &length, hash.baseAddress, hash.count) == 1 && length <= maximumLength
            }
        }
        guard signed else { throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not compute the signature value.") }
        value.removeLast(value.count - length)
        return value
    }
}

/// The templates of one signing identity, made on first use for each configuration.
final class SignatureTemplates: Sendable {
    /// nil records that no template could be made, so OpenSSL's CMS code signs every time.
    private let made = Mutex<[SignatureTemplate.Configuration: SignatureTemplate?]>([:])

    func template(for configuration: SignatureTemplate.Configuration,
                  making: () -> SignatureTemplate?) -> SignatureTemplate? {
        if let known = made.withLock({ $0[configuration] }) { return known }
        // Made outside the lock: it signs once. Two threads racing both make one; either is right.
        let template = making()
        made.withLock { $0[configuration] = .some(template) }
        return template
    }
}
