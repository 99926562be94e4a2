#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The result of verifying every signature of a PDF.
public struct PDFVerificationReport: Sendable, Codable {
    public var signatures: [PDFSignatureReport]
    /// Number of revisions (incremental updates plus the original) found in the file.
    public var revisionCount: Int

    /// The worst indication, or nil when the PDF has no signature.
    public var indication: PDFIndication? { signatures.map(\.indication).max() }

    /// 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE; 3 when there is no signature to verify.
    public var exitStatus: Int32 { indication?.exitStatus ?? 3 }
}

/// One signature: where it is, what it covers, what came after it, and its verdict.
public struct PDFSignatureReport: Sendable, Codable {
    public var fieldName: String
    public var subFilter: String?
    /// The signature dictionary's /M, the claimed signing time.
    public var claimedSigningTime: Date?
    public var byteRange: [Int]
    /// True when the signature covers every byte of the file but its own /Contents.
    public var coversWholeDocument: Bool
    /// Revisions appended after the signed one, oldest first.
    public var laterRevisions: [PDFRevisionChange]
    /// The CMS verifier's verdict; nil when the byte range was too broken to check it.
    public var validation: PDFCMSValidation?
    public var indication: PDFIndication
    public var subIndication: String?
    /// Plain sentences explaining a downgraded indication.
    public var problems: [String]
}

/// What one incremental update after a signature changed.
public struct PDFRevisionChange: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, Comparable {
        /// Adds signatures (and the form fields, widgets and appearances they need).
        case signature
        /// Adds or changes annotations or form fields, or document metadata, only.
        case annotation
        /// Changes anything else: page content, resources, the page tree, other objects.
        case content

        private var rank: Int { self == .signature ? 0 : self == .annotation ? 1 : 2 }
        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rank < rhs.rank }
    }

    /// File length at the end of this revision.
    public var endOffset: Int
    public var kind: Kind
    /// One short line per changed object, e.g. "page 3 0 R: /Annots".
    public var changes: [String]
}
