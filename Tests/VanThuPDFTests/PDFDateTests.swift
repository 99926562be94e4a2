import Foundation
import Testing
@testable import VanThuPDF
import VanThuSigning

/// PDF dates are computed by calendar arithmetic; Foundation's Gregorian calendar is the
/// reference they must agree with.
@Suite("PDF dates")
struct PDFDateTests {
    private static let utc = TimeZone(secondsFromGMT: 0)!

    private static func reference(_ date: Date, offset: Int) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: offset)!
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }

    /// Every 0.37 days from the last hours of 1899 to mid-2100 (so every hour of the day and
    /// both sides of each leap day are met), plus negative times and the ends of months.
    static let moments: [Date] = stride(from: -2_209_000_000.0, through: 4_118_000_000.0, by: 31_968.0).map { Date(timeIntervalSince1970: $0) }
        + [-1, 0, 951_782_399, 951_782_400, 951_868_799, 4_107_542_399].map { Date(timeIntervalSince1970: $0) }

    @Test("civil time agrees with Foundation's Gregorian calendar, in Vietnam and in UTC")
    func civilTimeMatchesCalendar() {
        for date in Self.moments {
            for offset in [7 * 3600, 0, -(9 * 3600 + 30 * 60)] {
                let ours = CivilTime(date, offset: offset), theirs = Self.reference(date, offset: offset)
                #expect([ours.year, ours.month, ours.day, ours.hour, ours.minute, ours.second]
                        == [theirs.year, theirs.month, theirs.day, theirs.hour, theirs.minute, theirs.second],
                        "\(date) at \(offset)")
            }
        }
    }

    @Test("written dates read back as the same second; the stamp shows Vietnam time")
    func roundTrip() {
        for date in Self.moments {
            let whole = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
            #expect(PDFDate.parse(PDFDate.string(date)) == whole)
        }
        let date = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18T11:06:40Z
        #expect(PDFDate.string(date) == "D:20261118180640+07'00'")
        #expect(PDFDate.iso8601Vietnam(date) == "2026-11-18T18:06:40+07:00")
    }

    @Test("partial dates, other offsets and Z")
    func parseForms() {
        func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Date {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = Self.utc
            return calendar.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
        }
        #expect(PDFDate.parse("D:2026") == utc(2026, 1, 1))
        #expect(PDFDate.parse("D:202611") == utc(2026, 11, 1))
        #expect(PDFDate.parse("20261118") == utc(2026, 11, 18))
        #expect(PDFDate.parse("D:20261118180640Z") == utc(2026, 11, 18, 18, 6, 40))
        #expect(PDFDate.parse("D:20261118180640+07'00'") == utc(2026, 11, 18, 11, 6, 40))
        #expect(PDFDate.parse("D:20261118180640-05'30") == utc(2026, 11, 18, 23, 36, 40))
        #expect(PDFDate.parse("D:20261118180640+0700") == utc(2026, 11, 18, 11, 6, 40))
        #expect(PDFDate.parse("D:20240229120000Z") == utc(2024, 2, 29, 12))
    }

    @Test("out-of-range parts make no date instead of rolling over", arguments: [
        "", "D:", "D:202", "D:20261318", "D:20260230", "D:20250229", "D:20261100", "D:20261118240000",
        "D:20261118186000", "D:20261118180660", "D:20261118180640+24'00'", "D:20261118180640+07'60'", "D:20261118180640+0760", "Hôm qua",
    ])
    func outOfRange(text: String) {
        #expect(PDFDate.parse(text) == nil)
    }
}
