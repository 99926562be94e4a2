import Foundation
import Testing
@testable import VanThuPDF

@Suite("PAdES signing and verification")
struct SigningTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.shared() }

    func signTimes(_ count: Int, _ original: [UInt8]) async throws -> [UInt8] {
        var pdf = original
        for i in 0..<count {
            let request = PDFSignatureRequest(signingTime: Date(timeIntervalSince1970: 1_790_000_000 + Double(i) * 60))
            pdf = try await PDFSigner.sign(pdf, request: request, producer: pki.coreProducer(seal: i % 2 == 1))
        }
        return pdf
    }

    @Test("one signature on a classic-xref PDF covers the whole file and verifies", .timeLimit(.minutes(2)))
    func signOnce() async throws {
        let original = Fixtures.classicPDF()
        let signed = try await signTimes(1, original)
        #expect(Array(signed.prefix(original.count)) == original, "the original bytes stay as they were")
        let report = try await PDFSignatureValidator.verify(signed, verifier: pki.coreVerifier())
        let signature = try #require(report.signatures.first)
        #expect(report.signatures.count == 1)
        #expect(signature.subFilter == "ETSI.CAdES.detached")
        #expect(signature.coversWholeDocument)
        #expect(signature.indication == .totalPassed, "\(signature.validation?.checks ?? [])")
        #expect(signature.validation?.signer?.contains(TestPKI.signerName) == true)
        #expect(report.exitStatus == 0)
        let document = try PDFDocument(bytes: signed)
        #expect(!document.usesCrossReferenceStreams, "a table-based file gets a table")
    }

    @Test("three signatures on a PDF with object streams: every one stays valid", .timeLimit(.minutes(2)))
    func signThreeTimesObjectStreams() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let original = try Fixtures.objectStreamPDF(pages: 3, in: directory)
        let signed = try await signTimes(3, original)
        #expect(try PDFDocument(bytes: signed).usesCrossReferenceStreams, "a stream-based file gets an xref stream")
        let report = try await PDFSignatureValidator.verify(signed, verifier: pki.coreVerifier())
        #expect(report.signatures.map(\.fieldName) == ["Signature1", "Signature2", "Signature3"])
        #expect(report.signatures.allSatisfy { $0.indication == .totalPassed })
        #expect(report.signatures.map(\.coversWholeDocument) == [false, false, true])
        #expect(report.signatures[0].laterRevisions.map(\.kind) == [.signature, .signature])
        #expect(report.signatures[1].laterRevisions.map(\.kind) == [.signature])
        #expect(report.revisionCount == 4)
    }

    @Test("a hybrid-reference file signs twice and both signatures verify", .timeLimit(.minutes(2)))
    func signHybrid() async throws {
        let signed = try await signTimes(2, ParserTests.hybridPDF())
        let report = try await PDFSignatureValidator.verify(signed, verifier: pki.coreVerifier())
        #expect(report.signatures.count == 2)
        #expect(report.signatures.allSatisfy { $0.indication == .totalPassed })
        #expect(report.signatures[0].laterRevisions.map(\.kind) == [.signature])
    }

    @Test("a later revision that changes page content is reported and fails the signature", .timeLimit(.minutes(2)))
    func contentChangeAfterSigning() async throws {
        let signed = try await signTimes(1, Fixtures.classicPDF())
        let document = try PDFDocument(bytes: signed)
        let page = try document.pageIDs()[0]
        let contentID = try #require(try document.object(page).dictionary?["Contents"]?.reference)
        var update = IncrementalUpdate(document: document)
        let replacement = Array("BT /F1 24 Tf 72 760 Td (Altered after signing) Tj ET".utf8)
        update.set(contentID, .stream(PDFStream(dictionary: PDFDictionary(), data: replacement)))
        let altered = signed + update.serialize(after: document).bytes
        let report = try await PDFSignatureValidator.verify(altered, verifier: pki.coreVerifier())
        let signature = try #require(report.signatures.first)
        #expect(!signature.coversWholeDocument)
        #expect(signature.laterRevisions.map(\.kind) == [.content])
        #expect(signature.validation?.indication == .totalPassed, "the CMS itself is intact")
        #expect(signature.indication == .totalFailed)
        #expect(report.exitStatus == 1)
    }

    @Test("a later revision that only adds an annotation keeps the signature passing", .timeLimit(.minutes(2)))
    func annotationAfterSigning() async throws {
        let signed = try await signTimes(1, Fixtures.classicPDF())
        let document = try PDFDocument(bytes: signed)
        let page = try document.pageIDs()[0]
        var pageDictionary = try #require(try document.object(page).dictionary)
        var update = IncrementalUpdate(document: document)
        let note = update.allocate()
        update.set(note, .dictionary(PDFDictionary([
            "Type": .name("Annot"), "Subtype": .name("Text"), "Rect": .array([.integer(50), .integer(50), .integer(70), .integer(70)]),
            "Contents": .text("Đã xem, chuyển phòng Tổ chức cán bộ"),
        ])))
        let annots = try #require(pageDictionary["Annots"]?.array)
        pageDictionary["Annots"] = .array(annots + [.reference(note)])
        update.set(page, .dictionary(pageDictionary))
        let annotated = signed + update.serialize(after: document).bytes
        let report = try await PDFSignatureValidator.verify(annotated, verifier: pki.coreVerifier())
        let signature = try #require(report.signatures.first)
        #expect(!signature.coversWholeDocument)
        #expect(signature.laterRevisions.map(\.kind) == [.annotation])
        #expect(signature.indication == .totalPassed)
    }

    @Test("a flipped byte inside the signed range breaks the signature", .timeLimit(.minutes(2)))
    func tampered() async throws {
        var signed = try await signTimes(1, Fixtures.classicPDF())
        let target = try #require(findBytes(signed, Array("Page 1 of".utf8)))
        signed[target] = UInt8(ascii: "X")
        let report = try await PDFSignatureValidator.verify(signed, verifier: pki.coreVerifier())
        #expect(report.signatures.first?.indication == .totalFailed)
        #expect(report.signatures.first?.subIndication == "HASH_FAILURE", "\(report.signatures.first?.validation?.checks ?? [])")
    }

    @Test("signing into a file streams the copy and keeps the input untouched", .timeLimit(.minutes(2)))
    func signFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let original = Fixtures.classicPDF()
        let input = try directory.write(original, to: "in.pdf")
        let output = directory.file("out.pdf")
        try await PDFSigner.sign(fileAt: input, to: output, request: PDFSignatureRequest(), producer: pki.coreProducer())
        #expect([UInt8](try Data(contentsOf: input)) == original)
        let report = try await PDFSignatureValidator.verify(fileAt: output, verifier: pki.coreVerifier())
        #expect(report.signatures.first?.indication == .totalPassed)
        await #expect(throws: PDFError.self) {
            try await PDFSigner.sign(fileAt: input, to: input, request: PDFSignatureRequest(), producer: pki.coreProducer())
        }
    }

    @Test("a signature larger than the reserved space is refused", .timeLimit(.minutes(2)))
    func tooLarge() async throws {
        let request = PDFSignatureRequest(signatureCapacity: 256)
        let error = await #expect(throws: PDFError.self) {
            _ = try await PDFSigner.sign(Fixtures.classicPDF(), request: request, producer: pki.coreProducer())
        }
        #expect(error?.code == .signatureTooLarge)
    }
}

func findBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle {
        return i
    }
    return nil
}
