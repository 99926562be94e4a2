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

    /// A hybrid file (§7.5.8.4): a classic table whose trailer's /XRefStm names a
    /// cross-reference stream for the objects kept in an object stream; the object
    /// stream's /Length is an indirect reference.
    static func hybridPDF() -> [UInt8] {
        var out = Array("%PDF-1.5\n".utf8)
        var offsets: [Int: Int] = [:]
        func object(_ n: Int, _ body: [UInt8]) {
            offsets[n] = out.count
            out += Array("\(n) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8)
        }
        let packed = Array("1 0 << /Type /Catalog /Pages 2 0 R >>".utf8)
        object(2, Array("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".utf8))
        object(3, Array("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".utf8))
        object(4, Array("<< /Type /ObjStm /N 1 /First 4 /Length 6 0 R >>\nstream\n".utf8) + packed + Array("\nendstream".utf8))
        object(6, Array("\(packed.count)".utf8))
        let entry: [UInt8] = [2, 0, 4, 0]  // object 1: in object stream 4, index 0
        object(5, Array("<< /Type /XRef /Size 7 /W [1 2 1] /Index [1 1] /Length \(entry.count) >>\nstream\n".utf8) + entry + Array("\nendstream".utf8))
        let xref = out.count
        // Object 1 is left out of the table: only the stream knows where it is.
        out += Array("xref\n0 1\n0000000000 65535 f\r\n2 5\n".utf8)
        for n in 2...6 { out += Array("\(String(repeating: "0", count: 10 - String(offsets[n]!).count))\(offsets[n]!) 00000 n\r\n".utf8) }
        out += Array("trailer\n<< /Size 7 /Root 1 0 R /XRefStm \(offsets[5]!) >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return out
    }

    @Test("reads hybrid files: a table with /XRefStm, and an indirect /Length")
    func hybrid() throws {
        let document = try PDFDocument(bytes: Self.hybridPDF())
        #expect(!document.usesCrossReferenceStreams)
        #expect(try document.catalog()["Type"]?.name == "Catalog")
        #expect(try document.pageIDs() == [PDFObjectID(3)])
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
        #expect(ObjectSerializer.format(841.889764) == "841.889764")
        #expect(ObjectSerializer.format(595) == "595")
        #expect(ObjectSerializer.format(-0.00001) == "0")
        #expect(ObjectSerializer.format(1e-7) == "0")
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
