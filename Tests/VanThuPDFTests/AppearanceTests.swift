import Foundation
import Testing
@testable import VanThuPDF

/// Decree 30 appearances: signer with signature image and seal, and the attachment stamp.
@Suite("PDF signature appearance")
struct AppearanceTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.shared() }

    static let fontInstalled = FileManager.default.fileExists(atPath: PDFFontFile.liberationSerif.path)

    let approverAppearanceForChecks = PDFSignerAppearance(
        rectangle: PDFRectangle(x: 330, y: 420, width: 220, height: 150), titleLines: ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"], name: "Nguyễn Văn Ân")

    /// Approver signs with title, name and signature image; the clerk then numbers
    /// the document with a stamp and seals it over the approver's signature.
    func approvedAndSealed() async throws -> [UInt8] {
        let signature = Fixtures.png(width: 240, height: 100, red: 20, green: 40, blue: 200, ring: false)
        let seal = Fixtures.png(width: 160, height: 160, red: 220, green: 20, blue: 20, ring: true)
        let rectangle = PDFRectangle(x: 330, y: 420, width: 220, height: 150)
        let approverAppearance = PDFSignerAppearance(rectangle: rectangle, titleLines: ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"],
                                                     name: "Nguyễn Văn Ân", signatureImagePNG: signature)
        let approver = PDFSignatureRequest(
            fieldName: "Ký duyệt",
            appearance: .signer(approverAppearance),
            signingTime: Date(timeIntervalSince1970: 1_790_000_000))
        var pdf = try await PDFSigner.sign(Fixtures.classicPDF(), request: approver, producer: OpenSSLCLIProducer(pki: pki))
        let stamp = PDFSignatureRequest(
            fieldName: "Số và ngày",
            appearance: .attachmentStamp(PDFAttachmentStamp(organisation: "SỞ GIÁO DỤC VÀ ĐÀO TẠO THANH HÓA", numberAndSymbol: "12/QĐ-SGDĐT")),
            signingTime: Date(timeIntervalSince1970: 1_790_000_600))
        pdf = try await PDFSigner.sign(pdf, request: stamp, producer: OpenSSLCLIProducer(pki: pki, seal: true))
        let sealed = PDFSignatureRequest(
            fieldName: "Dấu cơ quan",
            appearance: .organisationSeal(PDFSealAppearance(signer: approverAppearance, sealImagePNG: seal)),
            signingTime: Date(timeIntervalSince1970: 1_790_000_660))
        return try await PDFSigner.sign(pdf, request: sealed, producer: OpenSSLCLIProducer(pki: pki, seal: true))
    }

    @Test("signer, stamp and seal appearances: valid, well-formed, text extractable in Vietnamese",
          .enabled(if: fontInstalled, "fonts-liberation2 is not installed (apt-get install fonts-liberation2)"),
          .timeLimit(.minutes(3)))
    func appearances() async throws {
        let pdf = try await approvedAndSealed()
        let report = try await PDFSignatureValidator.verify(pdf, verifier: OpenSSLCLIVerifier(pki: pki))
        #expect(report.signatures.map(\.fieldName) == ["Ký duyệt", "Số và ngày", "Dấu cơ quan"])
        #expect(report.signatures.allSatisfy { $0.indication == .totalPassed })

        let document = try PDFDocument(bytes: pdf)
        let widgets = try #require(try document.object(document.pageIDs()[0]).dictionary?["Annots"]?.array)
        #expect(widgets.count == 3)
        let stampWidget = try #require(try document.resolve(widgets[1]).dictionary)
        let stampRect = try #require(stampWidget["Rect"]?.array).compactMap { $0.number }
        #expect(stampRect[2] > 500 && stampRect[3] > 780, "the stamp sits at the top right of page 1: \(stampRect)")
        // The seal's widget overlaps the left part of the approver's signature image, not its right.
        let sealRect = try #require(try document.resolve(widgets[2]).dictionary?["Rect"]?.array).compactMap { $0.number }
        let signatureImage = AppearanceBuilder.SignerLayout(approverAppearanceForChecks).signatureFrame(imageWidth: 240, imageHeight: 100)
        let imageLeft = 330 + signatureImage.x
        #expect(sealRect[0] < imageLeft && sealRect[2] > imageLeft && sealRect[2] <= imageLeft + signatureImage.width / 3 + 0.01,
                "seal \(sealRect) over the left third of the image starting at \(imageLeft)")

        guard Tool.path("pdftotext") != nil, Tool.path("qpdf") != nil else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write(pdf, to: "appearance.pdf")
        let check = try Tool.run("qpdf", ["--check", file.path])
        #expect(check.status == 0 && !check.output.contains("WARNING"), "\(check.output)")
        // pdftotext reads the appearance streams through their ToUnicode maps.
        let flattened = directory.file("flat.pdf")
        _ = try Tool.run("qpdf", ["--flatten-annotations=all", file.path, flattened.path])
        let text = try Tool.run("pdftotext", ["-layout", flattened.path, "-"]).stdout.precomposedStringWithCanonicalMapping
        for expected in ["PHÓ GIÁM ĐỐC", "Nguyễn Văn Ân", "Số: 12/QĐ-SGDĐT", "Thời gian ký: 2026-09-21T21:23:20+07:00", "SỞ GIÁO DỤC VÀ ĐÀO TẠO THANH HÓA"] {
            #expect(text.contains(expected), "\(expected) in: \(text)")
        }
        let fonts = try Tool.run("pdffonts", [flattened.path]).stdout
        #expect(fonts.contains("+LiberationSerif") && fonts.contains("CID TrueType"), "a tagged subset: \(fonts)")
        // Three signatures with two images and two subset fonts; the whole font would add 250 kB each.
        #expect(pdf.count < 300_000, "\(pdf.count) bytes")
    }

    @Test("the embedded font maps every Vietnamese letter to a real glyph",
          .enabled(if: fontInstalled, "fonts-liberation2 is not installed (apt-get install fonts-liberation2)"))
    func vietnameseGlyphs() throws {
        let font = try TrueTypeFont(file: .liberationSerif)
        let letters = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
        for scalar in (letters + letters.uppercased()).precomposedStringWithCanonicalMapping.unicodeScalars {
            #expect(font.glyph(for: scalar) != 0, "no glyph for \(scalar)")
        }
        #expect(font.unitsPerEm == 2048)
        #expect(font.width(ofGlyph: font.glyph(for: "a")) == 444, "Times-compatible advance of 'a'")
    }

    @Test("PNG images decode to colour and alpha planes; broken PNGs are refused")
    func png() throws {
        let image = try PNGImage(data: Fixtures.png(width: 30, height: 20, red: 1, green: 2, blue: 3, ring: true))
        #expect(image.width == 30 && image.height == 20 && image.components == 3)
        #expect(image.color.count == 30 * 20 * 3)
        #expect(image.alpha?.contains(0) == true && image.alpha?.contains(255) == true)
        let error = #expect(throws: PDFError.self) { _ = try PNGImage(data: Array("not a png".utf8)) }
        #expect(error?.code == .invalidImage)
    }

    @Test("renders: writes page 1 as PNG for a person to look at (VANTHU_PDF_RENDER=path)",
          .enabled(if: ProcessInfo.processInfo.environment["VANTHU_PDF_RENDER"] != nil && fontInstalled, "set VANTHU_PDF_RENDER to render"))
    func render() async throws {
        let path = try #require(ProcessInfo.processInfo.environment["VANTHU_PDF_RENDER"])
        try Data(try await approvedAndSealed()).write(to: URL(fileURLWithPath: path + ".pdf"))
        let result = try Tool.run("pdftoppm", ["-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", path + ".pdf", path])
        #expect(result.status == 0, "\(result.output)")
    }
}
