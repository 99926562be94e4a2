/// The one error type of VanThuPDF. `code` is stable and meant for machines
/// (problem+json, CLI exit mapping); `description` is one sentence for people.
public struct PDFError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case notAPDF = "pdf.not-a-pdf"
        case truncated = "pdf.truncated"
        case syntax = "pdf.syntax"
        case crossReference = "pdf.cross-reference"
        case referenceLoop = "pdf.reference-loop"
        case limitExceeded = "pdf.limit-exceeded"
        case objectMissing = "pdf.object-missing"
        case unsupportedFilter = "pdf.unsupported-filter"
        case corruptStream = "pdf.corrupt-stream"
        case encrypted = "pdf.encrypted"
        case invalidByteRange = "pdf.invalid-byte-range"
        case pageNotFound = "pdf.page-not-found"
        case invalidImage = "pdf.invalid-image"
        case invalidFont = "pdf.invalid-font"
        case signatureTooLarge = "pdf.signature-too-large"
        case signingFailed = "pdf.signing-failed"
        case io = "pdf.io"
    }

    public let code: Code
    /// One sentence, without document contents beyond offsets and object numbers.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func syntax(_ what: String, at offset: Int) -> PDFError {
        PDFError(.syntax, "The PDF has a syntax error at byte \(offset): \(what).")
    }

    static func limit(_ what: String) -> PDFError {
        PDFError(.limitExceeded, "The PDF exceeds a safety limit: \(what).")
    }
}

/// Bounds that keep parsing of untrusted PDFs finite in time and memory.
public struct PDFLimits: Sendable, Equatable {
    /// Deepest nesting of arrays and dictionaries.
    public var maxNestingDepth: Int = 64
    /// Largest object number accepted from a cross-reference section.
    public var maxObjectNumber: Int = 8_388_607
    /// Largest decoded (decompressed) stream, in bytes.
    public var maxDecodedStreamBytes: Int = 128 << 20
    /// Most cross-reference sections followed through /Prev and /XRefStm.
    public var maxCrossReferenceSections: Int = 4096
    /// Deepest chain of references followed while resolving one object.
    public var maxResolutionDepth: Int = 64
    /// Most objects held in one object stream.
    public var maxObjectsPerObjectStream: Int = 100_000
    /// Most pages walked in the page tree.
    public var maxPages: Int = 100_000

    public init() {}
}
