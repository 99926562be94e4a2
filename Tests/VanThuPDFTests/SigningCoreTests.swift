import Foundation
import Testing
@testable import VanThuPDF
import VanThuSigning

/// PDF signatures made by VanThuSigning's CAdES signer and checked by its validator, with the
/// development PKI of Keys/dev-pki.sh (trust anchors and CRLs, a revoked signer).
@Suite("PAdES through the signing core")
struct SigningCoreTests {
    let dev: DevPKI
    init() throws { dev = try DevPKI.shared() }

    /// Whole seconds, as /M records them; after the dev certificates' notBefore (made this run).
    static let firstTime = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))

    func sign(_ pdf: [UInt8], as user: String, at time: Date = firstTime,
              appearance: PDFSignatureAppearance = .invisible) async throws -> [UInt8] {
        let request = PDFSignatureRequest(appearance: appearance, signingTime: time)
        return try await PDFSigner.sign(pdf, request: request, producer: CAdESPDFSignatureProducer(identity: dev.identity(user)))
    }

    func report(_ pdf: [UInt8]) async throws -> ValidationReport {
        let verifier = try dev.verifier()
        let pdfReport = try await PDFSignatureValidator.verify(pdf, verifier: verifier)
        return verifier.documentReport(pdfReport, document: "qd-12.pdf")
    }

    @Test("a PDF signed by the CAdES signer passes the validator, as one PAdES entry covering the whole file",
          .timeLimit(.minutes(2)))
    func signAndVerify() async throws {
        let signed = try await sign(Fixtures.classicPDF(), as: "hung.nv")
        let report = try await report(signed)
        #expect(report.indication == .totalPassed, "\(report.text)")
        let signature = try #require(report.signatures.first)
        #expect(report.signatures.count == 1)
        #expect(signature.id == "Signature1")
        #expect(signature.format == .pades)
        #expect(signature.signer?.commonName == "Nguyễn Văn Hùng")
        #expect(signature.claimedSigningTime == Self.firstTime)
        #expect(signature.coverage?.coversWholeDocument == true)
        #expect(signature.revocation.contains { $0.status == .good })
        // PAdES B-B: no CMS signingTime; the time is /M, and the report says so.
        let signingTime = try #require(signature.checks.first { $0.id == "signing-time" })
        #expect(signingTime.result == .passed, "\(signingTime.reason)")
        #expect(signingTime.reason.contains("/M"))
        // The JSON report decodes back with the coverage.
        let decoded = try ValidationReport.decode(json: report.json())
        #expect(decoded.signatures.first?.coverage == signature.coverage)
        #expect(report.text.contains("Covers: the whole file"))
    }

    @Test("the CMS of a PDF signature has no signingTime attribute; a file signature keeps it", .timeLimit(.minutes(2)))
    func noSigningTimeAttribute() async throws {
        let identity = try dev.identity("lan.tt")
        let digest = [UInt8](repeating: 7, count: 32)
        let pades = try await CAdESPDFSignatureProducer(identity: identity).signer
            .signInBackground(messageDigest: digest, digestAlgorithm: .sha256, signingTime: Self.firstTime)
        let cades = try CAdESSigner(identity: identity).sign(messageDigest: digest, digestAlgorithm: .sha256, signingTime: Self.firstTime)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func attributes(_ der: [UInt8], _ name: String) throws -> String {
            let file = try directory.write(der, to: name)
            return try Tool.run("openssl", ["cms", "-cmsout", "-print", "-inform", "DER", "-in", file.path]).stdout
        }
        let padesText = try attributes(pades, "pades.der"), cadesText = try attributes(cades, "cades.der")
        #expect(padesText.contains("id-smime-aa-signingCertificateV2"))
        #expect(padesText.contains("messageDigest"))
        #expect(!padesText.contains("signingTime"))
        #expect(cadesText.contains("signingTime"))
    }

    @Test("a second and a third signature keep the first valid; later revisions are signatures only", .timeLimit(.minutes(3)))
    func threeSigners() async throws {
        var pdf = try await sign(Fixtures.classicPDF(), as: "huy.lq")
        pdf = try await sign(pdf, as: "lan.tt", at: Self.firstTime + 600)
        pdf = try await sign(pdf, as: "hung.nv", at: Self.firstTime + 1200)
        let report = try await report(pdf)
        #expect(report.indication == .totalPassed, "\(report.text)")
        #expect(report.signatures.map(\.indication) == [.totalPassed, .totalPassed, .totalPassed])
        #expect(report.signatures.compactMap(\.signer?.commonName) == ["Lê Quang Huy", "Trần Thị Lan", "Nguyễn Văn Hùng"])
        let first = try #require(report.signatures.first?.coverage)
        #expect(!first.coversWholeDocument)
        #expect(first.laterRevisions.map(\.kind) == ["signature", "signature"])
        #expect(report.signatures.last?.coverage?.coversWholeDocument == true)
    }

    @Test("/M before the signer's certificate became valid: TOTAL_FAILED / NOT_YET_VALID, as for a CMS signingTime",
          .timeLimit(.minutes(2)))
    func signingTimeBeforeNotBefore() async throws {
        let notBefore = try dev.identity("hung.nv").certificate.notBefore
        let signed = try await sign(Fixtures.classicPDF(), as: "hung.nv", at: notBefore - 86_400)
        let failed = try await report(signed)
        #expect(failed.indication == .totalFailed)
        #expect(failed.subIndication == .notYetValid, "\(failed.text)")
        let check = try #require(failed.signatures.first?.checks.first { $0.id == "signing-time" })
        #expect(check.result == .failed)
        #expect(check.reason.contains("/M"))
        // The same signature a day later than notBefore passes: the rule is the time, not the signature.
        let later = try await report(sign(Fixtures.classicPDF(), as: "hung.nv", at: notBefore + 60))
        #expect(later.indication == .totalPassed, "\(later.text)")
    }

    @Test("a revoked signer (Đặng Văn Tùng) gives INDETERMINATE / REVOKED_NO_POE", .timeLimit(.minutes(2)))
    func revokedSigner() async throws {
        let signed = try await sign(Fixtures.classicPDF(), as: "tung.dv", at: Date())
        let report = try await report(signed)
        #expect(report.indication == .indeterminate)
        #expect(report.subIndication == .revokedNoPOE, "\(report.text)")
    }

    @Test("content changed after signing: TOTAL_FAILED, by a flipped byte or by a later content revision", .timeLimit(.minutes(2)))
    func contentChanged() async throws {
        let signed = try await sign(Fixtures.classicPDF(), as: "hung.nv")
        var flipped = signed
        let target = try #require(findBytes(flipped, Array("Page 1 of".utf8)))
        flipped[target] = UInt8(ascii: "X")
        let flippedReport = try await report(flipped)
        #expect(flippedReport.indication == .totalFailed)
        #expect(flippedReport.subIndication == .hashFailure, "\(flippedReport.text)")

        let alteredReport = try await report(alterContent(signed))
        let signature = try #require(alteredReport.signatures.first)
        #expect(signature.indication == .totalFailed)
        #expect(signature.subIndication == .formatFailure)
        #expect(signature.coverage?.laterRevisions.map(\.kind) == ["content"])
        #expect(signature.checks.contains { $0.id == "later-revisions" && $0.result == .failed })
        #expect(signature.checks.contains { $0.id == "message-digest" && $0.result == .passed }, "the CMS itself is intact")
    }

    @Test("a content revision after a revoked signer's signature is TOTAL_FAILED, not INDETERMINATE", .timeLimit(.minutes(2)))
    func contentChangedAfterRevokedSigner() async throws {
        let signed = try await sign(Fixtures.classicPDF(), as: "tung.dv", at: Date())
        let report = try await report(alterContent(signed))
        #expect(report.indication == .totalFailed)
        #expect(report.subIndication == .formatFailure, "\(report.text)")
        #expect(report.signatures.first?.checks.contains { $0.id == "revocation" && $0.result == .failed } == true, "\(report.text)")
    }

    /// Appends a revision that replaces page 1's content stream.
    func alterContent(_ signed: [UInt8]) throws -> [UInt8] {
        let document = try PDFDocument(bytes: signed)
        let page = try document.pageIDs()[0]
        let contentID = try #require(try document.object(page).dictionary?["Contents"]?.reference)
        var update = IncrementalUpdate(document: document)
        update.set(contentID, .stream(PDFStream(dictionary: PDFDictionary(), data: Array("BT /F1 24 Tf 72 760 Td (Altered) Tj ET".utf8))))
        return signed + update.serialize(after: document).bytes
    }

    @Test("a visible approver signature, then the seal over it, both through the signing core", .timeLimit(.minutes(2)))
    func visibleAppearances() async throws {
        let approver = PDFSignerAppearance(rectangle: PDFRectangle(x: 330, y: 90, width: 220, height: 140),
                                           titleLines: ["GIÁM ĐỐC"], name: "Nguyễn Văn Hùng",
                                           signatureImagePNG: Fixtures.png(width: 60, height: 30, red: 20, green: 40, blue: 200, ring: false))
        var pdf = try await sign(Fixtures.classicPDF(), as: "hung.nv", appearance: .signer(approver))
        pdf = try await sign(pdf, as: "mai.dt", at: Self.firstTime + 300, appearance: .organisationSeal(PDFSealAppearance(
            signer: approver, sealImagePNG: Fixtures.png(width: 40, height: 40, red: 220, green: 0, blue: 0, ring: true))))
        let report = try await report(pdf)
        #expect(report.signatures.map(\.indication) == [.totalPassed, .totalPassed], "\(report.text)")
    }
}
