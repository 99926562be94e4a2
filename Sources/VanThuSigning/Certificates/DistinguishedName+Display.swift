extension String {
    /// The string for a terminal: C0 and C1 control characters, DEL, the line and paragraph
    /// separators, every Bidi_Control character (the marks U+061C, U+200E, U+200F and the
    /// embedding, override and isolate characters U+202A–U+202E, U+2066–U+2069) and invisible
    /// format characters (U+200B, U+2060–U+2064, U+FEFF, U+180E, U+206A–U+206F, U+FFF9–U+FFFB)
    /// written as escapes (`\n`, `\t`, `\u{200E}`), so that a certificate name cannot start a
    /// line of its own, reorder what a report prints, or hide a difference between two names
    /// that look alike. Everything else, such as Vietnamese letters, is kept. U+200C and U+200D
    /// (zero-width non-joiner and joiner) are kept too: Persian, the Indic scripts and emoji
    /// sequences need them to spell names correctly, and they change no order. For display
    /// only: JSON reports carry names as they are.
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
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069,
             0x061C, 0x200E, 0x200F, 0x200B, 0x2060...0x2064, 0x206A...0x206F, 0xFEFF, 0x180E, 0xFFF9...0xFFFB: true
        default: false
        }
    }
}
