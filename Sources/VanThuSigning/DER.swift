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

    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
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

    /// The elements filling `range` exactly, or nil when they do not.
    static func children(_ der: [UInt8], of range: Range<Int>, strict: Bool = false) -> [Element]? {
        var result: [Element] = []
        var cursor = range.lowerBound
        while cursor < range.upperBound {
            guard let child = element(der, at: cursor, end: range.upperBound, strict: strict) else { return nil }
            result.append(child)
            cursor = child.end
        }
        return result
    }
}
