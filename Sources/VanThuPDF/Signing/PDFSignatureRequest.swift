#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VanThuSigning

/// What to sign and how it looks.
public struct PDFSignatureRequest: Sendable {
    /// The signature field's name; nil picks "Signature1", "Signature2", … not yet used.
    public var fieldName: String?
    /// 1-based page that carries the widget (the stamp always goes on page 1).
    public var pageNumber: Int
    public var appearance: PDFSignatureAppearance
    public var signingTime: Date
    public var digestAlgorithm: DigestAlgorithm
    public var reason: String?
    public var location: String?
    /// Bytes reserved for the DER CMS; the /Contents placeholder is twice this in hex.
    public var signatureCapacity: Int

    public init(
        fieldName: String? = nil, pageNumber: Int = 1, appearance: PDFSignatureAppearance = .invisible,
        signingTime: Date = Date(), digestAlgorithm: DigestAlgorithm = .sha256,
        reason: String? = nil, location: String? = nil, signatureCapacity: Int = 24 * 1024
    ) {
        self.fieldName = fieldName
        self.pageNumber = pageNumber
        self.appearance = appearance
        self.signingTime = signingTime
        self.digestAlgorithm = digestAlgorithm
        self.reason = reason
        self.location = location
        self.signatureCapacity = signatureCapacity
    }
}

/// The visible form of a signature, per Decree 30, Appendix I.
public enum PDFSignatureAppearance: Sendable {
    /// No visible mark (a zero-size widget).
    case invisible
    /// The competent person's signature: title, signature image, name.
    case signer(PDFSignerAppearance)
    /// The organisation's seal image over the left third of an earlier signer's
    /// signature image; `signer` is that signer's appearance as it was signed.
    case organisationSeal(PDFSealAppearance)
    /// The organisation's text stamp at the top right of page 1, for attachments.
    case attachmentStamp(PDFAttachmentStamp)
}

public struct PDFSignerAppearance: Sendable {
    public var rectangle: PDFRectangle
    /// Signing authority and position, one line each (e.g. "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC").
    public var titleLines: [String]
    public var name: String
    /// Transparent PNG of the handwritten signature (blue).
    public var signatureImagePNG: [UInt8]?
    public var font: PDFFontFile

    public init(rectangle: PDFRectangle, titleLines: [String], name: String, signatureImagePNG: [UInt8]? = nil,
                font: PDFFontFile = .liberationSerif) {
        self.rectangle = rectangle
        self.titleLines = titleLines
        self.name = name
        self.signatureImagePNG = signatureImagePNG
        self.font = font
    }
}

public struct PDFSealAppearance: Sendable {
    /// The appearance of the signature the seal goes over, as it was signed.
    public var signer: PDFSignerAppearance
    /// Transparent PNG of the organisation's seal (red).
    public var sealImagePNG: [UInt8]

    public init(signer: PDFSignerAppearance, sealImagePNG: [UInt8]) {
        self.signer = signer
        self.sealImagePNG = sealImagePNG
    }
}

public struct PDFAttachmentStamp: Sendable {
    /// The issuing organisation's name, printed first when given.
    public var organisation: String?
    /// Number and symbol as written after "Số: ", e.g. "12/QĐ-SGDĐT".
    public var numberAndSymbol: String
    public var font: PDFFontFile

    public init(organisation: String? = nil, numberAndSymbol: String, font: PDFFontFile = .liberationSerif) {
        self.organisation = organisation
        self.numberAndSymbol = numberAndSymbol
        self.font = font
    }
}

/// A TrueType font file to embed for appearance text.
public struct PDFFontFile: Sendable, Equatable {
    public var path: String

    public init(path: String) { self.path = path }

    /// Liberation Serif 2 (Debian's fonts-liberation2), metric-compatible with Times New Roman.
    /// Debian's older fonts-liberation (1.07) has no Vietnamese letters such as ơ, ư or ạ.
    public static let liberationSerif = PDFFontFile(path: "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
}
