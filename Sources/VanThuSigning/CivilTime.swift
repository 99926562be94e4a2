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
