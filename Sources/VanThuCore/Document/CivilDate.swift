import Foundation

/// A calendar date without time (a due date, an issue date), written `yyyy-MM-dd`.
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let text: String
        public var description: String { "'\(text)' is not a date of the form 2026-12-31" }
    }

    public init(year: Int, month: Int, day: Int) throws(Invalid) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .vietnam
        let components = DateComponents(year: year, month: month, day: day)
        guard (1900...9999).contains(year), components.isValidDate(in: calendar) else {
            throw Invalid(text: String(format: "%04d-%02d-%02d", year, month, day))
        }
        self.year = year
        self.month = month
        self.day = day
    }

    public init(_ text: String) throws(Invalid) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { throw Invalid(text: text) }
        try self.init(year: y, month: m, day: d)
    }

    /// The date in Vietnam (+07:00) at the given instant.
    public init(vietnamDateOf instant: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .vietnam
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        self.year = c.year!
        self.month = c.month!
        self.day = c.day!
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension TimeZone {
    /// Vietnam time, +07:00 all year (no daylight saving).
    public static let vietnam = TimeZone(secondsFromGMT: 7 * 3600)!
}
