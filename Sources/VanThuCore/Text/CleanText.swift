import Foundation

/// Why a piece of text supplied by a person or a peer system was refused.
public struct TextRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let reason: String
    public var description: String { "\(field) \(reason)" }

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// Text as VanThu stores it: valid Unicode, normalised to NFC, trimmed, without control
/// characters, within a length limit. Everything a person types passes through here once, at the
/// edge, so that comparisons (usernames, abbreviations, ĐA versus DA) never depend on how a
/// keyboard composed the diacritics.
public enum CleanText {
    /// Normalises and validates one line of text (names, subjects, abbreviations).
    public static func line(_ raw: String, field: String, maxLength: Int, allowEmpty: Bool = false) throws(TextRejection) -> String {
        let text = raw.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces)
        if !allowEmpty && text.isEmpty { throw TextRejection(field: field, reason: "must not be empty") }
        if text.count > maxLength { throw TextRejection(field: field, reason: "is longer than \(maxLength) characters") }
        if text.unicodeScalars.contains(where: isForbidden) {
            throw TextRejection(field: field, reason: "contains a control character")
        }
        return text
    }

    /// Multi-line text (descriptions): like `line`, but tab and newlines are allowed.
    public static func paragraph(_ raw: String, field: String, maxLength: Int) throws(TextRejection) -> String {
        let text = raw.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count > maxLength { throw TextRejection(field: field, reason: "is longer than \(maxLength) characters") }
        if text.unicodeScalars.contains(where: { isForbidden($0) && $0 != "\n" && $0 != "\t" && $0 != "\r" }) {
            throw TextRejection(field: field, reason: "contains a control character")
        }
        return text
    }

    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format where scalar.value != 0x200D, .surrogate, .privateUse, .unassigned,
             .lineSeparator, .paragraphSeparator:
            return true
        default:
            return false
        }
    }
}
