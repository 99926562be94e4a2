#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A moment as the date and time a clock at `offset` seconds from UTC shows, by Howard
/// Hinnant's days-from-civil algorithms (proleptic Gregorian calendar, where Foundation's
/// formatters turn Julian before 1582). Used by reports, PDF dates and the client's `--at`.
public struct CivilTime: Sendable {
    package let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    package init(_ date: Date, offset: Int) {
        let seconds = Int((date.timeIntervalSince1970).rounded(.down)) + offset
        let (days, time) = (seconds.floorDivided(by: 86_400), seconds.floorModulo(86_400))
        (hour, minute, second) = (time / 3600, time / 60 % 60, time % 60)
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // March = 0
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days from 1970-01-01 to the given date.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

private extension Int {
    func floorDivided(by d: Int) -> Int { (self >= 0 ? self : self - d + 1) / d }
    func floorModulo(_ d: Int) -> Int { self - floorDivided(by: d) * d }
}

/// Dates as reports write them, in the proleptic Gregorian calendar with four-digit years
/// (RFC 3339): for people in Vietnam time (+07:00), for JSON in UTC. Formatted by hand, with
/// `CivilTime`'s calendar, because Foundation's formatters are costly to create, not documented
/// as thread-safe on Linux, and switch to the Julian calendar before 1582-10-15.
public enum ReportDate {
    /// `2026-03-01T08:00:00+07:00`. A time after 9999-12-31T16:59:59Z, whose Vietnam date has
    /// no four-digit year (RFC 5280's "no well-defined expiration" notAfter), is written in UTC.
    public static func text(_ date: Date) -> String {
        format(date, offset: 7 * 3600) ?? utc(date)
    }

    /// `2026-03-01T01:00:00Z`, as JSON reports carry dates. A time outside years 0000–9999, which
    /// neither certificates nor `--at` can give, is written with as many digits as its year needs.
    public static func utc(_ date: Date) -> String {
        format(date, offset: 0) ?? format(date, offset: 0, anyYear: true)!
    }

    private static func format(_ date: Date, offset: Int, anyYear: Bool = false) -> String? {
        let civil = CivilTime(date, offset: offset)
        let year = civil.year
        guard anyYear || (0...9999).contains(year) else { return nil }
        // Written as ASCII bytes: reports format several dates per signature, thousands a second.
        var text = [UInt8]()
        text.reserveCapacity(25)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 { text.append(UInt8(48 + (value / divisor) % 10)); divisor /= 10 }
        }
        if (0...9999).contains(year) { digits(year, 4) } else { text.append(contentsOf: String(year).utf8) }
        text.append(UInt8(ascii: "-")); digits(civil.month, 2)
        text.append(UInt8(ascii: "-")); digits(civil.day, 2)
        text.append(UInt8(ascii: "T")); digits(civil.hour, 2)
        text.append(UInt8(ascii: ":")); digits(civil.minute, 2)
        text.append(UInt8(ascii: ":")); digits(civil.second, 2)
        text.append(contentsOf: offset == 0 ? "Z".utf8 : "+07:00".utf8)
        return String(decoding: text, as: UTF8.self)
    }

    /// Reads an RFC 3339 time (`YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`) in the proleptic
    /// Gregorian calendar, as `utc` and `text` write them; nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var position = 0
        func number(_ width: Int) -> Int? {
            guard position + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[position..<position + width] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            position += width
            return value
        }
        func expect(_ character: Unicode.Scalar) -> Bool {
            guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
            position += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              (1...12).contains(month), day >= 1, day <= CivilTime.daysIn(month: month, year: year), expect("T"),
              let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2),
              hour <= 23, minute <= 59, second <= 59 else { return nil }
        var fraction = 0.0
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            var scale = 0.1
            let start = position
            while position < bytes.count, (48...57).contains(bytes[position]) {
                fraction += Double(bytes[position] - 48) * scale
                scale /= 10
                position += 1
            }
            guard position > start else { return nil }
        }
        var offset = 0
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "Z"):
            position += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[position] == UInt8(ascii: "+") ? 1 : -1
            position += 1
            guard let hours = number(2), expect(":"), let minutes = number(2), hours <= 23, minutes <= 59 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        default:
            return nil
        }
        guard position == bytes.count else { return nil }
        let seconds = CivilTime.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
