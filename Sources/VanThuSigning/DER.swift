#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The little DER VanThu reads and writes by hand: walking the outer layers of a CMS structure
/// (never the cryptography inside them) and assembling signatures from OpenSSL-encoded parts.
package enum DER {
    // MARK: - Writing

    /// Bytes a definite-length header takes for content of `length` bytes.
    static func headerLength(_ length: Int) -> Int {
        if length < 0x80 { return 2 }
        var value = length
        var count = 0
        while value > 0 { count += 1; value >>= 8 }
        return 2 + count
    }

    static func appendHeader(_ out: inout [UInt8], tag: UInt8, length: Int) {
        out.append(tag)
        if length < 0x80 {
            out.append(UInt8(length))
            return
        }
        let count = headerLength(length) - 2
        out.append(0x80 | UInt8(count))
        for index in stride(from: count - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: length >> (8 * index))) }
    }

    static func tlv<Content: Collection<UInt8>>(_ tag: UInt8, _ content: Content) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(headerLength(content.count) + content.count)
        appendHeader(&out, tag: tag, length: content.count)
        out.append(contentsOf: content)
        return out
    }

    static func digestIdentifier(_ algorithm: DigestAlgorithm) -> [UInt8] {
        let last: UInt8 = switch algorithm { case .sha256: 1; case .sha384: 2; case .sha512: 3 }
        return tlv(0x30, tlv(0x06, [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, last]))
    }

    /// RSASSA-PSS-params (RFC 4055 §3.1).
    static func pssParameters(_ algorithm: DigestAlgorithm) -> [UInt8] {
        let mgf1: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08]
        let hash = tlv(0xa0, digestIdentifier(algorithm))
        let mask = tlv(0xa1, tlv(0x30, tlv(0x06, mgf1) + digestIdentifier(algorithm)))
        let salt = tlv(0xa2, tlv(0x02, [UInt8(algorithm.byteCount)]))
        return tlv(0x30, hash + mask + salt)
    }

    // MARK: - Reading

    /// One definite-length element: its tag and where its header and value lie.
    package struct Element {
        package let tag: UInt8
        package let start: Int
        package let valueStart: Int
        package let end: Int
        package var value: Range<Int> { valueStart..<end }
        package var whole: Range<Int> { start..<end }
    }

    /// The definite-length element at `offset`, whose value must end at or before `end`; nil for
    /// anything else (indefinite or absurd lengths, multi-byte tags, truncation). Never traps.
    /// `strict`: DER's minimal length encoding is required too.
    package static func element(_ der: [UInt8], at offset: Int, end: Int, strict: Bool = false) -> Element? {
        guard offset >= 0, end <= der.count, offset + 2 <= end else { return nil }
        let tag = der[offset]
        guard tag & 0x1f != 0x1f else { return nil }
        let first = der[offset + 1]
        var length = 0
        var headerLength = 2
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7f)
            guard (1...4).contains(count), offset + 2 + count <= end else { return nil }
            for index in 0..<count { length = length << 8 | Int(der[offset + 2 + index]) }
            if strict, length < 0x80 || der[offset + 2] == 0 { return nil }
            headerLength += count
        }
        guard length <= end - offset - headerLength else { return nil }
        return Element(tag: tag, start: offset, valueStart: offset + headerLength, end: offset + headerLength + length)
    }

    /// The content octets of one element already read (its header skipped).
    static func contentOctets(_ element: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard element.count >= 2 else { return element[element.endIndex...] }
        let first = element[element.startIndex + 1]
        let header = first < 0x80 ? 2 : 2 + Int(first & 0x7f)
        return element.dropFirst(min(header, element.count))
    }

    /// Whether an element read as ASN.1 ANY (an attribute value, algorithm parameters) is one
    /// OpenSSL 3.0 decodes and encodes back to exactly the same bytes. OpenSSL keeps SEQUENCE,
    /// SET and non-universal elements as raw bytes; it re-encodes the universal primitive types,
    /// refusing malformed ones (an INTEGER with padding, an OBJECT IDENTIFIER with 0x80 digits, a
    /// short time) and normalising others (BOOLEAN to 00/FF, bit-string padding, constructed
    /// strings to primitive). Only the types below, in their DER form, are accepted; anything
    /// else is left to OpenSSL.
    static func isCanonicalValue(_ der: [UInt8], _ element: Element) -> Bool {
        let tag = element.tag
        let value = element.value
        guard tag & 0xc0 == 0 else { return true }            // context, application, private: raw
        if tag & 0x20 != 0 { return tag == 0x30 || tag == 0x31 }  // SEQUENCE, SET: raw
        switch tag {
        case 0x01: return value.count == 1 && (der[value.lowerBound] == 0 || der[value.lowerBound] == 0xff)
        case 0x02, 0x0a: return isMinimalInteger(der[value])
        case 0x03:
            guard let unused = value.first.map({ der[$0] }), unused <= 7 else { return false }
            if value.count == 1 { return unused == 0 }
            return der[value.upperBound - 1] & ~(0xff << unused) == 0
        case 0x05: return value.isEmpty
        case 0x06: return isValidObjectIdentifier(der[value])
        case 0x17: return value.count >= 13
        case 0x18: return value.count >= 15
        case 0x1e: return value.count % 2 == 0
        case 0x1c: return value.count % 4 == 0
        case 0x04, 0x0c, 0x12, 0x13, 0x14, 0x16, 0x1a: return true
        default: return false
        }
    }

    /// A DER INTEGER's content: not empty, no superfluous leading 00 or FF octet.
    static func isMinimalInteger(_ content: ArraySlice<UInt8>) -> Bool {
        guard let first = content.first else { return false }
        guard content.count > 1 else { return true }
        let second = content[content.startIndex + 1]
        return !(first == 0x00 && second < 0x80) && !(first == 0xff && second >= 0x80)
    }

    /// OBJECT IDENTIFIER content OpenSSL accepts: not empty, no subidentifier opening with 0x80,
    /// the last octet ending a subidentifier.
    static func isValidObjectIdentifier(_ content: ArraySlice<UInt8>) -> Bool {
        guard let last = content.last, last & 0x80 == 0 else { return false }
        var startsSubidentifier = true
        for byte in content {
            if startsSubidentifier && byte == 0x80 { return false }
            startsSubidentifier = byte & 0x80 == 0
        }
        return true
    }

    /// The elements filling `range` exactly, or nil when they do not.
    static func children(_ der: [UInt8], of range: Range<Int>, strict: Bool = false) -> [Element]? {
        var result: [Element] = []
        // Room for the usual few children at once: growing 1, 2, 4 is three allocations.
        result.reserveCapacity(min(8, range.count / 2))
        var cursor = range.lowerBound
        while cursor < range.upperBound {
            guard let child = element(der, at: cursor, end: range.upperBound, strict: strict) else { return nil }
            result.append(child)
            cursor = child.end
        }
        return result
    }

    /// Whether two byte collections hold the same bytes: lengths first, then `memcmp`, where
    /// `elementsEqual` walks two iterators a byte at a time.
    static func same<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        let compared = a.withContiguousStorageIfAvailable { left in
            b.withContiguousStorageIfAvailable { right in memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 }
        }
        return (compared ?? nil) ?? a.elementsEqual(b)
    }
}
