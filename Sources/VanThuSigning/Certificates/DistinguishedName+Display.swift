extension String {
    /// The string for a terminal: C0 and C1 control characters, DEL, the line and paragraph
    /// separators and the bidirectional embedding, override and isolate characters (U+202A–U+202E,
    /// U+2066–U+2069) written as escapes (`\n`, `\t`, `\u{1B}`), so that a certificate name
    /// cannot start a line of its own or reorder what a report prints. Everything else, such as
    /// Vietnamese letters, is kept. For display only: JSON reports carry names as they are.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for scalar in unicodeScalars {
            guard Self.needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
