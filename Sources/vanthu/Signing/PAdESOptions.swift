import ArgumentParser
import Foundation
import VanThuPDF
import VanThuSigning

/// `vanthu sign --pades` options: where the signature goes and how it looks (Decree 30, Appendix I).
struct PAdESOptions: ParsableArguments {
    @Flag(help: "Sign a PDF with an embedded PAdES signature instead of writing a .p7s.") var pades = false
    @Option(help: "Page for the visible signature (1-based).") var page: Int = 1
    @Option(help: "Rectangle of the visible signature in points: x,y,width,height from the page's lower left.") var rect: String?
    @Option(help: "Title line above the signature image (e.g. \"KT. GIÁM ĐỐC\"); repeatable.") var title: [String] = []
    @Option(help: "Name under the signature image (default: the certificate's common name).") var name: String?
    @Option(help: "Transparent PNG of the handwritten signature.") var signatureImage: String?
    @Option(help: "Transparent PNG of the organisation's seal, placed over the left third of the signature at --rect.") var sealImage: String?
    @Option(help: "Attachment stamp text at the top right of page 1, e.g. \"Số: 12/QĐ-SGDĐT\".") var stamp: String?
    @Option(help: "Organisation printed on the attachment stamp.") var organisation: String?
    @Option(help: "Reason recorded in the signature dictionary.") var reason: String?
    @Option(help: "Location recorded in the signature dictionary.") var location: String?

    /// qd-12.pdf → qd-12-signed.pdf beside it; the input is never the default output.
    static func defaultOutput(for file: String) -> String {
        let url = URL(fileURLWithPath: file)
        let stem = url.pathExtension.lowercased() == "pdf" ? url.deletingPathExtension().path : url.path
        return stem + "-signed.pdf"
    }

    func requireNoPDFOptions() throws {
        let given = rect != nil || !title.isEmpty || name != nil || signatureImage != nil || sealImage != nil
            || stamp != nil || organisation != nil || reason != nil || location != nil || page != 1
        if given { throw UnusableInput("The page, appearance, reason and location options go with --pades.") }
    }

    func request(signerName: String?, digest: DigestAlgorithm) throws -> PDFSignatureRequest {
        guard page >= 1 else { throw UnusableInput("--page counts from 1.") }
        return PDFSignatureRequest(pageNumber: page, appearance: try appearance(signerName: signerName), digestAlgorithm: digest,
                                   reason: reason.map(Self.nfc), location: location.map(Self.nfc))
    }

    private func appearance(signerName: String?) throws -> PDFSignatureAppearance {
        if let stamp {
            if rect != nil || sealImage != nil || signatureImage != nil {
                throw UnusableInput("--stamp is the attachment stamp of page 1; it takes no --rect, --seal-image or --signature-image.")
            }
            var number = Self.nfc(stamp).trimmingCharacters(in: .whitespaces)
            // The stamp prints "Số: " itself.
            for prefix in ["Số:", "số:"] where number.hasPrefix(prefix) {
                number = String(number.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
            }
            return .attachmentStamp(PDFAttachmentStamp(organisation: organisation.map(Self.nfc), numberAndSymbol: number))
        }
        if organisation != nil { throw UnusableInput("--organisation goes with --stamp.") }
        guard let rect else {
            if sealImage != nil || signatureImage != nil || !title.isEmpty || name != nil {
                throw UnusableInput("A visible signature needs --rect x,y,width,height.")
            }
            return .invisible
        }
        let signer = PDFSignerAppearance(
            rectangle: try Self.rectangle(rect), titleLines: title.map(Self.nfc),
            name: Self.nfc(name ?? signerName ?? ""), signatureImagePNG: try signatureImage.map(Self.readPNG))
        if let sealImage { return .organisationSeal(PDFSealAppearance(signer: signer, sealImagePNG: try Self.readPNG(sealImage))) }
        return .signer(signer)
    }

    static func rectangle(_ text: String) throws -> PDFRectangle {
        let numbers = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard numbers.count == 4, numbers[2] > 0, numbers[3] > 0, numbers.allSatisfy(\.isFinite) else {
            throw UnusableInput("--rect takes four numbers x,y,width,height with a positive width and height, e.g. 320,80,220,140.")
        }
        return PDFRectangle(x: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3])
    }

    static func readPNG(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw UnusableInput("The image \(path) cannot be read.") }
        return [UInt8](data)
    }

    static func nfc(_ text: String) -> String { text.precomposedStringWithCanonicalMapping }
}
