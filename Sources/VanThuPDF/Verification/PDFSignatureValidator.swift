#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VanThuSigning

/// Finds and checks every signature of a PDF.
public enum PDFSignatureValidator {
    public static func verify(
        fileAt url: URL, verifier: some PDFSignatureVerifier, limits: PDFLimits = PDFLimits()
    ) async throws -> PDFVerificationReport {
        try await verify(PDFDocument(contentsOf: url, limits: limits), verifier: verifier)
    }

    public static func verify(
        _ pdf: [UInt8], verifier: some PDFSignatureVerifier, limits: PDFLimits = PDFLimits()
    ) async throws -> PDFVerificationReport {
        try await verify(PDFDocument(bytes: pdf, limits: limits), verifier: verifier)
    }

    /// Parsing, the /ByteRange checks and the revision analysis read the file with blocking calls,
    /// so they run on NIO's thread pool; the verifier offloads its own hashing and OpenSSL work.
    public static func verify(_ document: PDFDocument, verifier: some PDFSignatureVerifier) async throws -> PDFVerificationReport {
        let prepared = try await BlockingWork.run {
            try SignatureFieldFinder.signatures(in: document).map { try prepare($0, document: document) }
        }
        var reports: [PDFSignatureReport] = []
        for var item in prepared {
            if let pending = item.pending {
                let validation = try await verifier.verifyDetached(
                    cms: pending.cms, content: pending.content, claimedSigningTime: item.report.claimedSigningTime)
                item.report.validation = validation
                item.report.indication = validation.indication
                item.report.subIndication = validation.subIndication
            }
            reports.append(item.report)
        }
        return try await BlockingWork.run { [reports] in
            let revisions = RevisionAnalyzer(document: document)
            return PDFVerificationReport(signatures: reports.map { judgeLaterRevisions($0, revisions: revisions) },
                                         revisionCount: revisions.revisionEnds.count)
        }
    }

    /// A signature field read and checked up to its CMS: `pending` is nil when the container
    /// already decided (a broken /ByteRange), and the report says why.
    struct Prepared: Sendable {
        struct Pending: Sendable {
            var cms: [UInt8]
            var content: PDFSignedContent
        }
        var report: PDFSignatureReport
        var pending: Pending?
    }

    static func prepare(_ field: SignatureFieldFinder.Field, document: PDFDocument) throws -> Prepared {
        let dictionary = field.signature
        let byteRange = try (document.resolve(dictionary["ByteRange"]).array ?? []).map { try document.resolve($0).integer ?? -1 }
        var report = PDFSignatureReport(
            fieldName: field.name, subFilter: dictionary["SubFilter"]?.name,
            claimedSigningTime: dictionary["M"]?.text.flatMap(PDFDate.parse),
            byteRange: byteRange, coversWholeDocument: false, laterRevisions: [], validation: nil,
            indication: .totalFailed, subIndication: "FORMAT_FAILURE", problems: [])
        let contents = try document.resolve(dictionary["Contents"]).stringBytes ?? []
        if let problem = ByteRangeCheck.problem(byteRange, contents: contents, signatureObject: field.signatureID, document: document) {
            report.problems.append(problem)
            return Prepared(report: report, pending: nil)
        }
        report.coversWholeDocument = byteRange[2] + byteRange[3] == document.byteCount
        let content = PDFSignedContent.over(file: document.storage.bytes, appended: [], byteRange: byteRange)
        return Prepared(report: report, pending: .init(cms: DERLength.trimmed(contents), content: content))
    }

    /// What revisions appended after a checked signature changed; a content change fails it.
    static func judgeLaterRevisions(_ checked: PDFSignatureReport, revisions: RevisionAnalyzer) -> PDFSignatureReport {
        var report = checked
        guard report.validation != nil, !report.coversWholeDocument, report.byteRange.count == 4 else { return report }
        report.laterRevisions = revisions.changes(after: report.byteRange[2] + report.byteRange[3])
        if let content = report.laterRevisions.first(where: { $0.kind == .content }) {
            report.problems.append("A revision appended after this signature (ending at byte \(content.endOffset)) changes the document's content.")
            if report.indication == .totalPassed {
                report.indication = .totalFailed
                report.subIndication = "FORMAT_FAILURE"
            }
        }
        return report
    }
}

/// Checks that a /ByteRange is the whole file less exactly the /Contents hex string.
enum ByteRangeCheck {
    static func problem(_ range: [Int], contents: [UInt8], signatureObject: PDFObjectID?, document: PDFDocument) -> String? {
        guard range.count == 4, range.allSatisfy({ $0 >= 0 && $0 <= document.byteCount }) else {
            return "The /ByteRange is not four offsets within the file."
        }
        guard range[0] == 0 else { return "The /ByteRange does not start at the beginning of the file." }
        let holeStart = range[1], holeEnd = range[2]
        guard holeStart < holeEnd, range[3] <= document.byteCount - holeEnd else {
            return "The /ByteRange's ranges overlap or run past the end of the file."
        }
        let bytes = document.storage.bytes
        guard bytes.at(holeStart) == UInt8(ascii: "<"), bytes.at(holeEnd - 1) == UInt8(ascii: ">") else {
            return "The bytes the /ByteRange leaves out are not a hexadecimal string: it skips signed content."
        }
        var parser = ObjectParser(bytes: bytes, position: holeStart, limits: document.limits)
        let hole = bytes.withBytes((holeStart + 1)..<(holeEnd - 1)) { raw in raw.allSatisfy { PDFCharacter.hexValue($0) != nil } }
        guard hole, let decoded = try? parser.parseHexString(), parser.position == holeEnd, decoded == contents else {
            return "The bytes the /ByteRange leaves out are not exactly the signature's /Contents: it skips signed content."
        }
        if let id = signatureObject, let offset = document.fileOffset(of: id) {
            let end = bytes.firstIndex(of: Array("endobj".utf8), in: offset..<document.byteCount) ?? document.byteCount
            guard offset < holeStart, end > holeEnd else {
                return "The excluded /Contents is not inside the signature dictionary."
            }
        }
        return nil
    }
}

/// DER lengths, to drop the zero padding after a CMS in /Contents.
enum DERLength {
    static func trimmed(_ der: [UInt8]) -> [UInt8] {
        guard der.first == 0x30, let cms = DER.element(der, at: 0, end: der.count) else { return der }
        return Array(der[cms.whole])
    }
}
