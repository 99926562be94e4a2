import Foundation
import Testing
@testable import VanThuPDF

@Suite("PDF parser")
struct ParserTests {
    @Test("reads a classic cross-reference table, the catalog and the page tree")
    func classic() throws {
        let document = try PDFDocument(bytes: Fixtures.classicPDF(pages: 3))
        #expect(!document.usesCrossReferenceStreams)
        #expect(try document.pageIDs().count == 3)
        let page = try document.pageIDs()[1]
        let contents = try #require(try document.object(page).dictionary?["Contents"]?.reference)
        let stream = try #require(try document.object(contents).stream)
        #expect(String(decoding: try document.decodedData(of: stream), as: UTF8.self).contains("Page 2 of a test document"))
    }

    @Test("reads cross-reference streams and object streams written by qpdf")
    func objectStreams() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bytes = try Fixtures.objectStreamPDF(pages: 4, in: directory)
        let document = try PDFDocument(bytes: bytes)
        #expect(document.usesCrossReferenceStreams)
        // qpdf puts the page dictionaries into an object stream.
        let pages = try document.pageIDs()
        #expect(pages.count == 4)
        #expect(pages.contains { if case .compressed? = document.entry($0.number) { true } else { false } })
        #expect(try document.object(pages[3]).dictionary?["Type"]?.name == "Page")
    }

    @Test("parses every kind of object, including escapes and references")
    func objects() throws {
        let text = "<< /A [1 -2 3.5 -.25 (a\\(b\\)c\\n\\101) <48 65 6c6C 6f> /N#20ame true false null 12 0 R] /B << /C 4 5 R >> >>"
        var parser = ObjectParser(bytes: PDFBytes(copying: Array(text.utf8)), limits: PDFLimits())
        let object = try parser.parseObject()
        let array = try #require(object.dictionary?["A"]?.array)
        #expect(array[0] == .integer(1))
        #expect(array[1] == .integer(-2))
        #expect(array[2] == .real(3.5))
        #expect(array[3] == .real(-0.25))
        #expect(array[4] == .string(Array("a(b)c\nA".utf8)))
        #expect(array[5] == .string(Array("Hello".utf8)))
        #expect(array[6] == .name("N ame"))
        #expect(array[7] == .boolean(true))
        #expect(array[9] == .null)
        #expect(array[10] == .reference(PDFObjectID(12, 0)))
        #expect(object.dictionary?["B"]?.dictionary?["C"] == .reference(PDFObjectID(4, 5)))
    }

    @Test("writes objects that parse back to the same value")
    func roundTrip() throws {
        let object = PDFObject.dictionary(PDFDictionary([
            "Name": .name("A B#(x)"), "Text": .text("Sở Giáo dục và Đào tạo"), "Bin": .string([0, 255, 40, 41]),
            "Real": .real(-12.5), "Array": .array([.integer(1), .reference(PDFObjectID(7)), .null, .boolean(false)]),
        ]))
        var parser = ObjectParser(bytes: PDFBytes(copying: ObjectSerializer.bytes(object)), limits: PDFLimits())
        let parsed = try parser.parseObject()
        // A null array element is kept; a null dictionary value is dropped on both sides.
        #expect(parsed == object)
        #expect(parsed.dictionary?["Text"]?.text == "Sở Giáo dục và Đào tạo")
    }

    @Test("inflates FlateDecode and undoes PNG predictors")
    func predictors() throws {
        // Two rows of 3 bytes: row 1 with Sub filter, row 2 with Up filter.
        let encoded: [UInt8] = [1, 10, 5, 5, 2, 1, 1, 1]
        let decoded = try PNGPredictor.decode(encoded, columns: 3, colors: 1, bitsPerComponent: 8)
        #expect(decoded == [10, 15, 20, 11, 16, 21])
        let deflated = Flate.deflate(Array(repeating: 7, count: 10_000))
        let inflated = try deflated.withUnsafeBytes { try Flate.inflate($0, limit: 1 << 20) }
        #expect(inflated == Array(repeating: 7, count: 10_000))
    }
}
