#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VanThuSigning

/// Adds PAdES baseline B-B signatures to PDFs by incremental update.
public enum PDFSigner {
    /// Signs a PDF held in memory and returns the signed file.
    public static func sign(
        _ pdf: [UInt8], request: PDFSignatureRequest, producer: some PDFSignatureProducer, limits: PDFLimits = PDFLimits()
    ) async throws -> [UInt8] {
        let document = try await BlockingWork.run { try PDFDocument(bytes: pdf, limits: limits) }
        let appended = try await signedUpdate(of: document, request: request, producer: producer)
        return pdf + appended
    }

    /// Signs the PDF at `input` into `output` (which may not be the same file),
    /// reading the input in chunks and writing beside the output, renamed into place when complete.
    public static func sign(
        fileAt input: URL, to output: URL, request: PDFSignatureRequest, producer: some PDFSignatureProducer,
        limits: PDFLimits = PDFLimits()
    ) async throws {
        guard input.standardizedFileURL.path != output.standardizedFileURL.path else {
            throw PDFError(.io, "The signed PDF must be written to a different file than the input.")
        }
        let document = try await BlockingWork.run { try PDFDocument(contentsOf: input, limits: limits) }
        let appended = try await signedUpdate(of: document, request: request, producer: producer)
        try await BlockingWork.run {
            let file = try OutputFile(replacing: output.path)
            try document.forEachChunk(of: [0..<document.byteCount]) { try file.write($0) }
            try appended.withUnsafeBytes { try file.write($0) }
            try file.commit()
        }
    }

    /// The bytes to append to `document` that carry one new signature.
    static func signedUpdate(
        of document: PDFDocument, request: PDFSignatureRequest, producer: some PDFSignatureProducer
    ) async throws -> [UInt8] {
        // Preparing the update reads the document; the digest reads all of it: both block on the file.
        let (prepared, content, digest) = try await BlockingWork.run {
            let prepared = try prepare(document, request: request)
            let content = PDFSignedContent.over(file: document.storage.bytes, appended: prepared.bytes, byteRange: prepared.byteRange)
            return (prepared, content, content.digest(request.digestAlgorithm))
        }
        var update = prepared
        let cms: [UInt8]
        do {
            cms = try await producer.signDetached(
                messageDigest: digest, digestAlgorithm: request.digestAlgorithm, signingTime: request.signingTime, content: content)
        } catch let error as PDFError {
            throw error
        } catch {
            throw PDFError(.signingFailed, "The signature could not be produced: \(error).")
        }
        let hex = Array(cms.hexString.utf8)
        guard hex.count <= update.contentsHexRange.count else {
            throw PDFError(.signatureTooLarge, "The CMS signature (\(cms.count) bytes) exceeds the \(update.contentsHexRange.count / 2) bytes reserved for it.")
        }
        update.bytes.replaceSubrange(update.contentsHexRange.lowerBound..<(update.contentsHexRange.lowerBound + hex.count), with: hex)
        return update.bytes
    }

    struct PreparedUpdate: Sendable {
        var bytes: [UInt8]
        var byteRange: [Int]
        /// Where the hex digits of /Contents are, within `bytes`.
        var contentsHexRange: Range<Int>
    }

    static func prepare(_ document: PDFDocument, request: PDFSignatureRequest) throws -> PreparedUpdate {
        let pages = try document.pageIDs()
        let pageNumber: Int
        if case .attachmentStamp = request.appearance { pageNumber = 1 } else { pageNumber = request.pageNumber }
        guard pageNumber >= 1 && pageNumber <= pages.count else {
            throw PDFError(.pageNotFound, "The PDF has \(pages.count) pages, so there is no page \(pageNumber) to sign on.")
        }
        let pageID = pages[pageNumber - 1]
        var update = IncrementalUpdate(document: document)
        let signatureID = update.allocate()
        let widgetID = update.allocate()

        let form = try AcroFormEditor(document: document)
        let fieldName = request.fieldName ?? form.unusedFieldName()
        guard !form.existingFieldNames.contains(fieldName) else {
            throw PDFError(.signingFailed, "The PDF already has a field named '\(fieldName)'.")
        }
        let box = try document.visibleBox(of: pageID)
        let placed = try AppearanceBuilder.build(request.appearance, signingTime: request.signingTime, pageBox: box, update: &update)

        var widget = PDFDictionary()
        widget["Type"] = .name("Annot")
        widget["Subtype"] = .name("Widget")
        widget["FT"] = .name("Sig")
        widget["T"] = .text(fieldName)
        widget["V"] = .reference(signatureID)
        widget["P"] = .reference(pageID)
        widget["Rect"] = placed.rectangle.pdfArray
        widget["F"] = .integer(132)  // Print + Locked
        widget["AP"] = .dictionary(PDFDictionary(["N": .reference(placed.appearanceStream)]))
        update.set(widgetID, .dictionary(widget))

        try form.addField(widgetID, to: &update)
        try AcroFormEditor.addAnnotation(widgetID, toPage: pageID, document: document, update: &update)

        let (signatureText, byteRangeOffset, contentsOffset) = signatureDictionary(request)
        update.setRaw(signatureID, signatureText)
        var output = update.serialize(after: document)
        let body = output.bodyOffsets[signatureID]!
        let hexStart = body + contentsOffset + 1
        let hexRange = hexStart..<(hexStart + request.signatureCapacity * 2)
        let total = document.byteCount + output.bytes.count
        let contentsStart = document.byteCount + hexStart - 1
        let contentsEnd = document.byteCount + hexRange.upperBound + 1
        let byteRange = [0, contentsStart, contentsEnd, total - contentsEnd]
        let rangeText = Array("[\(byteRange.map(String.init).joined(separator: " "))]".utf8)
        let placeholderStart = body + byteRangeOffset
        let placeholderLength = byteRangePlaceholder.count
        precondition(rangeText.count <= placeholderLength)
        output.bytes.replaceSubrange(placeholderStart..<(placeholderStart + placeholderLength),
                                     with: rangeText + Array(repeating: 0x20, count: placeholderLength - rangeText.count))
        return PreparedUpdate(bytes: output.bytes, byteRange: byteRange, contentsHexRange: hexRange)
    }

    static let byteRangePlaceholder = Array("[0 0000000000 0000000000 0000000000]".utf8)

    /// The signature dictionary's text, with offsets of the /ByteRange array and the /Contents '<'.
    static func signatureDictionary(_ request: PDFSignatureRequest) -> ([UInt8], Int, Int) {
        var entries = PDFDictionary()
        entries["Type"] = .name("Sig")
        entries["Filter"] = .name("Adobe.PPKLite")
        entries["SubFilter"] = .name("ETSI.CAdES.detached")
        entries["M"] = .string(Array(PDFDate.string(request.signingTime).utf8))
        if let reason = request.reason { entries["Reason"] = .text(reason) }
        if let location = request.location { entries["Location"] = .text(location) }
        var text = ObjectSerializer.bytes(.dictionary(entries))
        text.removeLast(2)  // ">>": the placeholders go last, so their offsets are easy to find.
        text += Array("/ByteRange ".utf8)
        let byteRangeOffset = text.count
        text += byteRangePlaceholder
        text += Array("/Contents ".utf8)
        let contentsOffset = text.count
        text.append(UInt8(ascii: "<"))
        text += Array(repeating: UInt8(ascii: "0"), count: request.signatureCapacity * 2)
        text += Array(">>>".utf8)
        return (text, byteRangeOffset, contentsOffset)
    }
}

/// PDF date strings (§7.9.4), written in Vietnam time as people read them. Plain proleptic
/// Gregorian arithmetic, not `Calendar`: a Gregorian `Calendar` asks for the current time zone,
/// which in a program that links FoundationInternationalization (the `vanthu` client) loads
/// ICU's time-zone data, about 1 MiB of memory per run, for a fixed +07:00 offset.
enum PDFDate {
    static let vietnamOffset = 7 * 3600

    static func string(_ date: Date) -> String {
        let c = CivilTime(date, offset: vietnamOffset)
        return "D:" + [(c.year, 4), (c.month, 2), (c.day, 2), (c.hour, 2), (c.minute, 2), (c.second, 2)]
            .map { decimalDigits($0.0, width: $0.1) }.joined() + "+07'00'"
    }

    /// ISO 8601 with +07:00, for the attachment stamp.
    static func iso8601Vietnam(_ date: Date) -> String {
        let c = CivilTime(date, offset: vietnamOffset)
        func d(_ v: Int, _ w: Int = 2) -> String { decimalDigits(v, width: w) }
        return "\(d(c.year, 4))-\(d(c.month))-\(d(c.day))T\(d(c.hour)):\(d(c.minute)):\(d(c.second))+07:00"
    }

    /// `D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional (§7.9.4). Nil when a part
    /// is out of range (month 13, hour 24, an offset of 24 hours, …) rather than rolled over.
    static func parse(_ text: String) -> Date? {
        var s = Substring(text)
        if s.hasPrefix("D:") { s = s.dropFirst(2) }
        let digits = Array(s.prefix { $0.isASCII && $0.isNumber }.utf8).map { Int($0) - 48 }
        guard digits.count >= 4 else { return nil }
        func part(_ from: Int, _ length: Int, _ fallback: Int) -> Int {
            guard digits.count >= from + length else { return fallback }
            return digits[from..<(from + length)].reduce(0) { $0 * 10 + $1 }
        }
        let (year, month, day) = (part(0, 4, 0), part(4, 2, 1), part(6, 2, 1))
        let (hour, minute, second) = (part(8, 2, 0), part(10, 2, 0), part(12, 2, 0))
        guard (1...12).contains(month), (1...CivilTime.daysIn(month: month, year: year)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        let rest = s.dropFirst(digits.count)
        var offset = 0
        if let sign = rest.first, sign == "+" || sign == "-" {
            let groups = rest.dropFirst().split(whereSeparator: { !($0.isASCII && $0.isNumber) })
            let numbers = groups.compactMap { Int($0) }
            // `+07'00'` as the standard writes it; `+0700`, as some producers do, read as HHmm.
            let (hours, minutes) = groups.first?.count == 4 && numbers.count == 1
                ? (numbers[0] / 100, numbers[0] % 100) : (numbers.first ?? 0, numbers.dropFirst().first ?? 0)
            guard (0...23).contains(hours), (0...59).contains(minutes) else { return nil }
            offset = (hours * 3600 + minutes * 60) * (sign == "-" ? -1 : 1)
        }
        let days = CivilTime.days(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second - offset))
    }
}
