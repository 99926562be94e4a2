/// Character classes of ISO 32000-1 §7.2.2.
enum PDFCharacter {
    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == 0x0C || b == 0x00
    }

    @inline(__always)
    static func isDelimiter(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
             UInt8(ascii: "/"), UInt8(ascii: "%"):
            true
        default: false
        }
    }

    @inline(__always)
    static func isRegular(_ b: UInt8) -> Bool { !isWhitespace(b) && !isDelimiter(b) }

    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A recursive-descent parser of PDF objects over one byte buffer.
///
/// Every loop advances `position` and every recursion counts depth, so any
/// input ends in an object or a `PDFError`.
struct ObjectParser {
    let bytes: PDFBytes
    var position: Int
    let limits: PDFLimits

    init(bytes: PDFBytes, position: Int = 0, limits: PDFLimits) {
        self.bytes = bytes
        self.position = position
        self.limits = limits
    }

    var atEnd: Bool { position >= bytes.count }

    mutating func skipWhitespace() {
        while let b = bytes.at(position) {
            if PDFCharacter.isWhitespace(b) {
                position += 1
            } else if b == UInt8(ascii: "%") {
                while let c = bytes.at(position), c != 0x0A, c != 0x0D { position += 1 }
            } else {
                return
            }
        }
    }

    /// Reads a bare keyword or number token (regular characters) without consuming trailing space.
    mutating func regularToken() -> [UInt8] {
        let start = position
        while let b = bytes.at(position), PDFCharacter.isRegular(b) { position += 1 }
        return bytes.copy(start..<position)
    }

    /// Consumes `keyword` if it is the next token.
    mutating func consumeKeyword(_ keyword: String) -> Bool {
        skipWhitespace()
        let k = Array(keyword.utf8)
        guard bytes.matches(k, at: position) else { return false }
        if let after = bytes.at(position + k.count), PDFCharacter.isRegular(after) { return false }
        position += k.count
        return true
    }

    mutating func expectKeyword(_ keyword: String) throws {
        guard consumeKeyword(keyword) else {
            throw atEnd ? PDFError(.truncated, "The PDF ends before the keyword '\(keyword)'.")
                : PDFError.syntax("expected '\(keyword)'", at: position)
        }
    }

    /// Parses a non-negative integer token, or nil without consuming anything.
    mutating func unsignedInteger() -> Int? {
        skipWhitespace()
        let start = position
        var value = 0
        while let b = bytes.at(position), b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
            if o1 || o2 { position = start; return nil }
            value = s
            position += 1
        }
        if position == start { return nil }
        if let b = bytes.at(position), PDFCharacter.isRegular(b) { position = start; return nil }
        return value
    }

    mutating func parseObject(depth: Int = 0) throws -> PDFObject {
        guard depth <= limits.maxNestingDepth else {
            throw PDFError.limit("arrays and dictionaries nest deeper than \(limits.maxNestingDepth) levels")
        }
        skipWhitespace()
        guard let b = bytes.at(position) else {
            throw PDFError(.truncated, "The PDF ends in the middle of an object.")
        }
        switch b {
        case UInt8(ascii: "/"):
            return .name(parseName())
        case UInt8(ascii: "("):
            return .string(try parseLiteralString())
        case UInt8(ascii: "<"):
            if bytes.at(position + 1) == UInt8(ascii: "<") {
                return .dictionary(try parseDictionary(depth: depth))
            }
            return .string(try parseHexString())
        case UInt8(ascii: "["):
            position += 1
            var items: [PDFObject] = []
            while true {
                skipWhitespace()
                guard let c = bytes.at(position) else {
                    throw PDFError(.truncated, "The PDF ends inside an array.")
                }
                if c == UInt8(ascii: "]") { position += 1; return .array(items) }
                items.append(try parseObject(depth: depth + 1))
            }
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumberOrReference()
        default:
            let start = position
            let token = regularToken()
            switch token {
            case Array("true".utf8): return .boolean(true)
            case Array("false".utf8): return .boolean(false)
            case Array("null".utf8): return .null
            default:
                if token.isEmpty { position += 1 }
                throw PDFError.syntax("unexpected '\(String(pdfBytes: token.prefix(16)))'", at: start)
            }
        }
    }

    private mutating func parseNumberOrReference() throws -> PDFObject {
        let start = position
        let token = regularToken()
        guard let number = Self.number(token) else {
            throw PDFError.syntax("malformed number", at: start)
        }
        guard case .integer(let first) = number, first >= 0 else { return number }
        // "N G R" is a reference: look ahead without committing.
        let afterFirst = position
        if let generation = unsignedInteger(), consumeKeyword("R") {
            return .reference(PDFObjectID(first, generation))
        }
        position = afterFirst
        return number
    }

    static func number(_ token: [UInt8]) -> PDFObject? {
        guard !token.isEmpty, token.count <= 64 else { return nil }
        var isReal = false
        for (i, c) in token.enumerated() {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): continue
            case UInt8(ascii: "."): if isReal { return nil }; isReal = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"): if i != 0 { return nil }
            default: return nil
            }
        }
        let text = String(decoding: token, as: UTF8.self)
        if !isReal, let i = Int(text) { return .integer(i) }
        var normalised = text
        if normalised.hasSuffix(".") { normalised += "0" }
        if normalised.hasPrefix(".") { normalised = "0" + normalised }
        if normalised.hasPrefix("-.") { normalised = "-0" + normalised.dropFirst() }
        if normalised.hasPrefix("+.") { normalised = "0" + normalised.dropFirst() }
        guard let d = Double(normalised), d.isFinite else { return isReal ? nil : .real(0) }
        return .real(d)
    }

    mutating func parseName() -> String {
        position += 1  // '/'
        var out: [UInt8] = []
        while let b = bytes.at(position), PDFCharacter.isRegular(b) {
            if b == UInt8(ascii: "#"), let h = bytes.at(position + 1).flatMap(PDFCharacter.hexValue),
               let l = bytes.at(position + 2).flatMap(PDFCharacter.hexValue) {
                out.append(h << 4 | l)
                position += 3
            } else {
                out.append(b)
                position += 1
            }
        }
        return String(pdfBytes: out)
    }

    mutating func parseHexString() throws -> [UInt8] {
        position += 1  // '<'
        var out: [UInt8] = []
        var high: UInt8?
        while true {
            guard let b = bytes.at(position) else {
                throw PDFError(.truncated, "The PDF ends inside a hexadecimal string.")
            }
            position += 1
            if b == UInt8(ascii: ">") { break }
            if PDFCharacter.isWhitespace(b) { continue }
            guard let v = PDFCharacter.hexValue(b) else {
                throw PDFError.syntax("invalid character in a hexadecimal string", at: position - 1)
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        if let h = high { out.append(h << 4) }
        return out
    }

    mutating func parseLiteralString() throws -> [UInt8] {
        let start = position
        position += 1  // '('
        var out: [UInt8] = []
        var depth = 1
        while true {
            guard let b = bytes.at(position) else {
                throw PDFError(.truncated, "The PDF ends inside a string that starts at byte \(start).")
            }
            position += 1
            switch b {
            case UInt8(ascii: "("):
                depth += 1
                out.append(b)
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return out }
                out.append(b)
            case UInt8(ascii: "\\"):
                guard let e = bytes.at(position) else { continue }
                position += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case 0x0D:
                    if bytes.at(position) == 0x0A { position += 1 }
                case 0x0A:
                    break
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var value = Int(e - UInt8(ascii: "0"))
                    for _ in 0..<2 {
                        guard let d = bytes.at(position), d >= UInt8(ascii: "0"), d <= UInt8(ascii: "7") else { break }
                        value = value * 8 + Int(d - UInt8(ascii: "0"))
                        position += 1
                    }
                    out.append(UInt8(truncatingIfNeeded: value))
                default:
                    out.append(e)
                }
            case 0x0D:
                // An unescaped end of line in a string reads as a single LF.
                if bytes.at(position) == 0x0A { position += 1 }
                out.append(0x0A)
            default:
                out.append(b)
            }
        }
    }

    mutating func parseDictionary(depth: Int) throws -> PDFDictionary {
        position += 2  // '<<'
        var dictionary = PDFDictionary()
        while true {
            skipWhitespace()
            guard let b = bytes.at(position) else {
                throw PDFError(.truncated, "The PDF ends inside a dictionary.")
            }
            if b == UInt8(ascii: ">") {
                guard bytes.at(position + 1) == UInt8(ascii: ">") else {
                    throw PDFError.syntax("a dictionary ends with a single '>'", at: position)
                }
                position += 2
                return dictionary
            }
            guard b == UInt8(ascii: "/") else {
                throw PDFError.syntax("a dictionary key is not a name", at: position)
            }
            let key = parseName()
            let value = try parseObject(depth: depth + 1)
            dictionary[key] = value
        }
    }
}
