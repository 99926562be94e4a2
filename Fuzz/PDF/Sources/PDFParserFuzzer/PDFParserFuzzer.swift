@testable import VanThuPDF

/// One libFuzzer input: parse it as a PDF and walk everything the signing and
/// verification code would touch. Errors are expected; crashes, hangs and
/// runaway memory are findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var limits = PDFLimits()
    limits.maxDecodedStreamBytes = 16 << 20
    limits.maxObjectNumber = 200_000
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let document = try? PDFDocument(bytes: bytes, limits: limits) else { return 0 }
    for number in document.objectNumbers.prefix(5_000) {
        if case .stream(let stream)? = try? document.object(PDFObjectID(number)) {
            _ = try? document.decodedData(of: stream)
        }
    }
    if let pages = try? document.pageIDs() {
        for page in pages.prefix(100) { _ = try? document.visibleBox(of: page) }
    }
    if let fields = try? SignatureFieldFinder.signatures(in: document) {
        for field in fields.prefix(20) {
            let range = (try? document.resolve(field.signature["ByteRange"]).array?.compactMap(\.integer)) ?? []
            let contents = field.signature["Contents"]?.stringBytes ?? []
            _ = field.signature["M"]?.text.flatMap(PDFDate.parse)
            if ByteRangeCheck.problem(range, contents: contents, signatureObject: field.signatureID, document: document) == nil {
                _ = PDFSignedContent.over(file: document.storage.bytes, appended: [], byteRange: range).digest(.sha256)
                _ = RevisionAnalyzer(document: document).changes(after: range[2] + range[3])
            }
        }
    }
    return 0
}

// SwiftPM links executables with `main` aliased to `<Product>_main`, which would
// hide libFuzzer's own main; this entry point hands control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("PDFParserFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOneInput)
}
