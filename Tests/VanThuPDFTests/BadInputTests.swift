import Foundation
import Testing
@testable import VanThuPDF

/// Hostile and broken PDFs: each ends in a clear `PDFError` (or the right
/// indication), never a crash, a hang or unbounded memory.
@Suite("PDF bad input")
struct BadInputTests {
    func code(_ bytes: [UInt8], limits: PDFLimits = PDFLimits(), _ body: (PDFDocument) throws -> Void = { _ = try $0.pageIDs() }) -> PDFError.Code? {
        do {
            try body(try PDFDocument(bytes: bytes, limits: limits))
            return nil
        } catch let error as PDFError {
            #expect(!error.message.isEmpty && error.message.hasSuffix("."), "one clear sentence: \(error.message)")
            return error.code
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    func replacing(_ bytes: [UInt8], _ old: String, _ new: String) -> [UInt8] {
        let o = Array(old.utf8), n = Array(new.utf8)
        guard let at = findBytes(bytes, o) else { return bytes }
        var copy = bytes
        copy.replaceSubrange(at..<(at + o.count), with: n)
        return copy
    }

    @Test("a file that is not a PDF, or is empty, is refused")
    func notAPDF() {
        #expect(code(Array("hello, world; this is not a PDF".utf8)) == .notAPDF)
        #expect(code([]) == .notAPDF)
    }

    @Test("truncated files give an error at every cut, never a crash")
    func truncated() {
        let pdf = Fixtures.classicPDF(pages: 3)
        var codes = Set<PDFError.Code>()
        for cut in stride(from: 0, to: pdf.count - 1, by: 7) {
            if let c = code(Array(pdf.prefix(cut))) { codes.insert(c) }
        }
        #expect(codes.isSubset(of: [.notAPDF, .crossReference, .truncated, .syntax]))
        #expect(codes.contains(.crossReference), "a cut before 'startxref' is a missing cross-reference")
    }

    @Test("a broken cross-reference table is a cross-reference error")
    func brokenXref() {
        let pdf = Fixtures.classicPDF()
        #expect(code(replacing(pdf, "0000000000 65535 f", "00000000zz 65535 f")) == .crossReference)
        // An offset that points at the wrong object.
        let shifted = replacing(pdf, "xref\n0 8\n0000000000 65535 f\r\n00000000", "xref\n0 8\n0000000000 65535 f\r\n00000001")
        #expect(code(shifted) == .crossReference)
        #expect(code(replacing(pdf, "startxref", "startxrex")) == .crossReference)
    }

    @Test("reference loops are detected: /Prev, the page tree, chains of references, object streams")
    func loops() throws {
        let pdf = Fixtures.classicPDF()
        let xrefOffset = try #require(findBytes(pdf, Array("xref\n".utf8)))
        #expect(code(replacing(pdf, "/Root 1 0 R", "/Root 1 0 R /Prev \(xrefOffset)")) == .referenceLoop)
        // The page tree's kid refers back to the tree root.
        #expect(code(replacing(pdf, "/Kids [4 0 R", "/Kids [2 0 R")) == .referenceLoop)
        // An object stream that claims to contain itself (entry type 2 pointing at its own number).
        let selfContained = Fixtures.xrefStreamPDF(
            objects: [(2, "<< /Type /ObjStm /N 1 /First 4 /Length 40 >>\nstream\n1 0 << /Type /Catalog >>\nendstream")],
            entries: [(0, 0, 255), (2, 2, 0), (2, 2, 0)])
        let document = try PDFDocument(bytes: selfContained)
        let streamError = #expect(throws: PDFError.self) { _ = try document.catalog() }
        #expect(streamError?.code == .referenceLoop)
        // A chain of references 5 → 6 → 5.
        var chain = "%PDF-1.7\n"
        var offsets: [Int] = []
        for (n, body) in [(1, "<< /Type /Catalog /Pages 5 0 R >>"), (2, "3 0 R"), (3, "2 0 R")] {
            offsets.append(chain.utf8.count)
            chain += "\(n) 0 obj\n\(body)\nendobj\n"
        }
        let chainXref = chain.utf8.count
        chain += "xref\n0 4\n0000000000 65535 f\r\n" + offsets.map { String(format: "%010d 00000 n\r\n", $0) }.joined()
        chain += "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n\(chainXref)\n%%EOF\n"
        let looped = try PDFDocument(bytes: Array(chain.utf8))
        let error = #expect(throws: PDFError.self) { _ = try looped.resolve(.reference(PDFObjectID(3))) }
        #expect(error?.code == .referenceLoop)
    }

    @Test("absurd and wrong /Length values fall back to the endstream keyword")
    func absurdLength() throws {
        for bad in ["99999999999999", "-5", "3", "77 0 R", "1 0 R"] {
            let document = try PDFDocument(bytes: Fixtures.classicPDF(lengthText: bad))
            let page = try document.pageIDs()[0]
            let contents = try #require(try document.object(page).dictionary?["Contents"]?.reference)
            let data = try document.decodedData(of: try #require(try document.object(contents).stream))
            #expect(String(decoding: data, as: UTF8.self).hasSuffix("Tj ET\n"), "\(bad)")
        }
        // No endstream at all: the file is truncated.
        var cut = Fixtures.classicPDF()
        while findBytes(cut, Array("endstream".utf8)) != nil { cut = replacing(cut, "endstream", "endstrea_") }
        #expect(code(cut) { document in
            let page = try document.pageIDs()[0]
            _ = try document.object(try document.object(page).dictionary!["Contents"]!.reference!)
        } == .truncated)
    }

    @Test("encrypted PDFs are refused with a clear error",
          .enabled(if: Tool.path("qpdf") != nil, "qpdf is not installed (apt-get install qpdf)"))
    func encrypted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = try directory.write(Fixtures.classicPDF(), to: "plain.pdf")
        let output = directory.file("encrypted.pdf")
        let result = try Tool.run("qpdf", ["--encrypt", "user", "owner", "256", "--", input.path, output.path])
        try #require(result.status == 0, "\(result.output)")
        let error = #expect(throws: PDFError.self) { _ = try PDFDocument(contentsOf: output) }
        #expect(error?.code == .encrypted)
    }

    @Test("deep nesting and decompression bombs hit their limits")
    func limits() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        var parser = ObjectParser(bytes: PDFBytes(copying: Array(deep.utf8)), limits: PDFLimits())
        let error = #expect(throws: PDFError.self) { _ = try parser.parseObject() }
        #expect(error?.code == .limitExceeded)
        let bomb = Flate.deflate(Array(repeating: 0, count: 4 << 20))
        let bombError = #expect(throws: PDFError.self) { _ = try bomb.withUnsafeBytes { try Flate.inflate($0, limit: 1 << 20) } }
        #expect(bombError?.code == .limitExceeded)
        let xrefError = #expect(throws: PDFError.self) {
            _ = try PDFDocument(bytes: replacing(Fixtures.classicPDF(), "xref\n0 8", "xref\n0 99999999999"))
        }
        #expect(xrefError?.code == .limitExceeded || xrefError?.code == .crossReference)
    }

    @Test("signing a broken file fails cleanly and writes nothing")
    func signingBrokenInput() async throws {
        let pki = try TestPKI.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = try directory.write(Array(Fixtures.classicPDF().prefix(300)), to: "broken.pdf")
        let output = directory.file("out.pdf")
        await #expect(throws: PDFError.self) {
            try await PDFSigner.sign(fileAt: input, to: output, request: PDFSignatureRequest(), producer: OpenSSLCLIProducer(pki: pki))
        }
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["broken.pdf"])
    }

    @Test("a /ByteRange that skips content, or does not start at 0, fails the signature", .timeLimit(.minutes(2)))
    func byteRangeSkips() async throws {
        let pki = try TestPKI.shared()
        let signed = try await PDFSigner.sign(Fixtures.classicPDF(), request: PDFSignatureRequest(), producer: OpenSSLCLIProducer(pki: pki))
        let document = try PDFDocument(bytes: signed)
        let field = try #require(try SignatureFieldFinder.signatures(in: document).first)
        let range = try #require(field.signature["ByteRange"]?.array).compactMap { $0.integer }
        let original = "[\(range.map(String.init).joined(separator: " "))]"
        for forged in [[0, range[1] - 40, range[2], range[3]], [10, range[1] - 10, range[2], range[3]], [0, range[1], range[2], range[3] - 5]] {
            var text = "[\(forged.map(String.init).joined(separator: " "))]"
            text += String(repeating: " ", count: max(0, original.count - text.count))
            let tampered = replacing(signed, original, text)
            let report = try await PDFSignatureValidator.verify(tampered, verifier: OpenSSLCLIVerifier(pki: pki))
            let signature = try #require(report.signatures.first)
            #expect(signature.indication == .totalFailed, "\(forged)")
            #expect(signature.subIndication == "FORMAT_FAILURE" || signature.subIndication == "HASH_FAILURE", "\(forged)")
            #expect(!signature.coversWholeDocument, "\(forged)")
        }
    }

    @Test("random corruption of a signed object-stream PDF never crashes the parser or the validator",
          .enabled(if: Tool.path("qpdf") != nil, "qpdf is not installed (apt-get install qpdf)"), .timeLimit(.minutes(3)))
    func randomCorruption() async throws {
        let pki = try TestPKI.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let signed = try await PDFSigner.sign(try Fixtures.objectStreamPDF(pages: 2, in: directory), request: PDFSignatureRequest(),
                                              producer: OpenSSLCLIProducer(pki: pki))
        var state: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<300 {
            var mutated = signed
            for _ in 0..<(1 + next(8)) { mutated[next(mutated.count)] = UInt8(next(256)) }
            // Without a real verifier: the structure checks are what is exercised here.
            _ = try? await PDFSignatureValidator.verify(mutated, verifier: StructureOnlyVerifier())
            if let document = try? PDFDocument(bytes: mutated) {
                for number in document.objectNumbers { _ = try? document.object(PDFObjectID(number)) }
            }
        }
    }
}

/// Reports INDETERMINATE for any CMS: for tests of the PDF structure alone.
struct StructureOnlyVerifier: PDFSignatureVerifier {
    func verifyDetached(cms: [UInt8], content: PDFSignedContent, claimedSigningTime: Date?) async throws -> PDFCMSValidation {
        _ = content.digest(.sha256)
        return PDFCMSValidation(indication: .indeterminate, subIndication: "NO_CERTIFICATE_CHAIN_FOUND")
    }
}
