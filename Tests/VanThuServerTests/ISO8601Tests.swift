import Foundation
import Testing
import VanThuAPI

@Suite struct ISO8601Tests {
    @Test func writesVietnamTimeWithOffset() {
        #expect(ISO8601.vietnam(Date(timeIntervalSince1970: 0)) == "1970-01-01T07:00:00+07:00")
        #expect(ISO8601.vietnam(Date(timeIntervalSince1970: 1_798_738_200)) == "2027-01-01T00:30:00+07:00")
    }

    @Test func readsCommonForms() {
        let expected = Date(timeIntervalSince1970: 1_798_738_200)
        #expect(ISO8601.parse("2027-01-01T00:30:00+07:00") == expected)
        #expect(ISO8601.parse("2026-12-31T17:30:00Z") == expected)
        #expect(ISO8601.parse("2026-12-31T17:30:00.000Z") == expected)
        #expect(ISO8601.parse("31/12/2026") == nil)
    }
}
