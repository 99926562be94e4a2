import Foundation
import Testing
import VanThuCore

@Suite struct AgencyCodeTests {
    @Test func readsBothOrders() throws {
        let a = try AgencyCode("000.01.31.H56")
        #expect(a.description == "000.01.31.H56")
        #expect(a.decision20Form == "H56.31.01.000")
        #expect(try AgencyCode("H56.31.01.000") == a)
        #expect(try AgencyCode("000.00.00.G03").level1 == "G03")
    }

    @Test(arguments: ["", "000.00.00", "000.00.00.56", "00.00.00.H56", "000.0a.00.H56", "000.00.00.h56", "000.00.00.H5", "000.00.00.H56.1", " 000.00.00.H56"])
    func rejects(_ text: String) {
        #expect(throws: AgencyCode.Invalid.self) { try AgencyCode(text) }
    }

    @Test func decodesStrictly() throws {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([AgencyCode].self, from: Data(#"["H56"]"#.utf8)) }
        #expect(try JSONDecoder().decode([AgencyCode].self, from: Data(#"["001.01.31.H56"]"#.utf8)).first?.level4 == "001")
    }
}

@Suite struct DocumentTypeTests {
    @Test func catalogueHasDecree30Types() {
        #expect(DocumentTypeCatalogue.type(code: "QĐ")?.name == "Quyết định")
        #expect(DocumentTypeCatalogue.type(code: "CV")?.symbolAbbreviation == nil)
        #expect(DocumentTypeCatalogue.type(code: "TCG")?.name == "Thư công")
        #expect(DocumentTypeCatalogue.type(code: "QyĐ")?.name == "Quy định")
        #expect(Set(DocumentTypeCatalogue.all.map(\.code)).count == DocumentTypeCatalogue.all.count)
    }

    @Test func diacriticsAreNotFolded() {
        #expect(DocumentTypeCatalogue.type(code: "ĐA")?.name == "Đề án")
        #expect(DocumentTypeCatalogue.type(code: "DA")?.name == "Dự án")
        #expect(DocumentTypeCatalogue.type(code: "QD") == nil)
        #expect(DocumentTypeCatalogue.type(code: "qđ") == nil)
    }

    @Test func decomposedInputMatches() {
        let nfd = "QĐ".decomposedStringWithCanonicalMapping
        #expect(DocumentTypeCatalogue.type(code: nfd)?.code == "QĐ")
        #expect(DocumentTypeCatalogue.type(code: "HĐ".decomposedStringWithCanonicalMapping)?.name == "Hợp đồng")
    }

    @Test func everyNameIsNFC() {
        for t in DocumentTypeCatalogue.all {
            #expect(t.name == t.name.precomposedStringWithCanonicalMapping)
            #expect(Array(t.name.unicodeScalars) == Array(t.name.precomposedStringWithCanonicalMapping.unicodeScalars))
        }
    }
}

@Suite struct TextTests {
    @Test func normalisesAndTrims() throws {
        let t = try CleanText.line("  Thông báo  ".decomposedStringWithCanonicalMapping, field: "x", maxLength: 20)
        #expect(Array(t.unicodeScalars) == Array("Thông báo".precomposedStringWithCanonicalMapping.unicodeScalars))
    }

    @Test(arguments: ["a\u{0}b", "a\u{7}b", "a\nb", "a\u{202E}b", "a\u{FEFF}b", "\u{E000}"])
    func rejectsControlAndFormatCharacters(_ s: String) {
        #expect(throws: TextRejection.self) { try CleanText.line(s, field: "name", maxLength: 100) }
    }

    @Test func paragraphsKeepNewlines() throws {
        #expect(try CleanText.paragraph("dòng 1\ndòng 2", field: "x", maxLength: 100) == "dòng 1\ndòng 2")
    }

    @Test func lengthCountsCharactersNotBytes() throws {
        _ = try CleanText.line(String(repeating: "ệ", count: 500), field: "subject", maxLength: 500)
        #expect(throws: TextRejection.self) { try CleanText.line(String(repeating: "ệ", count: 501), field: "subject", maxLength: 500) }
    }
}

@Suite struct DateAndPriorityTests {
    @Test func civilDates() throws {
        #expect(try CivilDate("2028-02-29").day == 29)
        for bad in ["2026-02-29", "2026-13-01", "26-01-01", "2026-1-1", "2026-01-01T00:00", ""] {
            #expect(throws: CivilDate.Invalid.self) { try CivilDate(bad) }
        }
    }

    @Test func vietnamDateAtMidnightUTC() {
        // 17:30 UTC on 31 December is already 1 January in Vietnam: numbering years follow Vietnam time.
        let instant = Date(timeIntervalSince1970: 1_798_738_200) // 2026-12-31T17:30:00Z
        #expect(CivilDate(vietnamDateOf: instant).description == "2027-01-01")
    }

    @Test func urgencyAcceptsCodesAndVietnamese() {
        #expect(Urgency(text: "hoa-toc") == .flash)
        #expect(Urgency(text: "Hỏa tốc") == .flash)
        #expect(Urgency(text: "thượng khẩn".decomposedStringWithCanonicalMapping) == .veryUrgent)
        #expect(Urgency(text: "rất khẩn") == nil)
        #expect(Confidentiality(text: "Tối mật") == .topSecret)
    }

    @Test func organisationTreeRules() {
        #expect(OrganisationKind.school.allowedParents.contains(.districtOffice))
        #expect(!OrganisationKind.school.allowedParents.contains(.school))
        #expect(OrganisationKind.department.allowedParents.isEmpty)
    }

    @Test func visibilityRule() {
        let a = UUID(), b = UUID(), c = UUID()
        #expect(DocumentVisibility.isVisible(to: a, creator: a, sentTo: []))
        #expect(DocumentVisibility.isVisible(to: b, creator: a, sentTo: [b]))
        #expect(!DocumentVisibility.isVisible(to: c, creator: a, sentTo: [b]))
    }
}
