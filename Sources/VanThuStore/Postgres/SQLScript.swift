import Foundation

/// Splits a migration file into statements, since the extended query protocol runs one at a time.
/// Knows enough SQL lexing for migrations: quotes, quoted identifiers, dollar quoting, comments.
enum SQLScript {
    static func statements(in script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        let chars = Array(script)
        var i = 0
        func flush() {
            let s = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if !s.isEmpty, !isOnlyComments(s) { statements.append(s) }
            current = ""
        }
        while i < chars.count {
            let c = chars[i]
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            if c == "-" && next == "-" {
                while i < chars.count && chars[i] != "\n" { current.append(chars[i]); i += 1 }
                continue
            }
            if c == "/" && next == "*" {
                while i < chars.count && !(chars[i] == "*" && i + 1 < chars.count && chars[i + 1] == "/") {
                    current.append(chars[i]); i += 1
                }
                if i < chars.count { current.append("*/"); i += 2 }
                continue
            }
            if c == "'" || c == "\"" {
                current.append(c); i += 1
                while i < chars.count {
                    current.append(chars[i])
                    if chars[i] == c {
                        if i + 1 < chars.count && chars[i + 1] == c { current.append(c); i += 2; continue }
                        i += 1; break
                    }
                    i += 1
                }
                continue
            }
            if c == "$", let tag = dollarTag(chars, at: i) {
                current.append(contentsOf: tag); i += tag.count
                while i < chars.count {
                    if chars[i] == "$", i + tag.count <= chars.count, String(chars[i..<(i + tag.count)]) == tag {
                        current.append(contentsOf: tag); i += tag.count; break
                    }
                    current.append(chars[i]); i += 1
                }
                continue
            }
            if c == ";" { flush(); i += 1; continue }
            current.append(c); i += 1
        }
        flush()
        return statements
    }

    private static func dollarTag(_ chars: [Character], at start: Int) -> String? {
        var j = start + 1
        while j < chars.count, chars[j] == "_" || chars[j].isLetter || (j > start + 1 && chars[j].isNumber) { j += 1 }
        guard j < chars.count, chars[j] == "$" else { return nil }
        return String(chars[start...j])
    }

    private static func isOnlyComments(_ s: String) -> Bool {
        s.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
