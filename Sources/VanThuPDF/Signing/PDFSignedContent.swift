#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VanThuSigning

/// The bytes a PDF signature covers: the file less the /Contents hex string,
/// as described by its /ByteRange. Read in chunks, never copied whole.
public struct PDFSignedContent: Sendable {
    enum Segment: Sendable {
        case file(PDFBytes, Range<Int>)
        case memory([UInt8], Range<Int>)
    }

    let segments: [Segment]
    /// The /ByteRange: offset and length of the part before and of the part after /Contents.
    public let byteRange: [Int]

    /// Total number of signed bytes.
    public var count: Int {
        segments.reduce(0) { total, segment in
            switch segment {
            case .file(_, let r), .memory(_, let r): total + r.count
            }
        }
    }

    /// Calls `body` with consecutive chunks of at most `chunkSize` bytes, in order.
    public func forEachChunk(chunkSize: Int = 256 << 10, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        for segment in segments {
            switch segment {
            case .file(let bytes, let range):
                try bytes.forEachChunk(of: range, chunkSize: chunkSize, body)
            case .memory(let array, let range):
                try array.withUnsafeBytes { all in
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let end = min(range.upperBound, start + chunkSize)
                        try body(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                        start = end
                    }
                }
            }
        }
    }

    /// The digest of the signed bytes, computed in chunks.
    public func digest(_ algorithm: DigestAlgorithm) -> [UInt8] {
        var hasher = StreamingDigest(algorithm)
        forEachChunk { hasher.update($0) }
        return hasher.finalize()
    }

    /// Splits a virtual file (`file` then `appended`) along the two signed ranges.
    static func over(file: PDFBytes, appended: [UInt8], byteRange: [Int]) -> PDFSignedContent {
        var segments: [Segment] = []
        for (start, length) in [(byteRange[0], byteRange[1]), (byteRange[2], byteRange[3])] {
            let end = start + length
            if start < file.count { segments.append(.file(file, start..<min(end, file.count))) }
            if end > file.count {
                segments.append(.memory(appended, (max(start, file.count) - file.count)..<(end - file.count)))
            }
        }
        return PDFSignedContent(segments: segments, byteRange: byteRange)
    }
}

/// Produces the CMS of a PDF signature. VanThuSigning's signer (a key file,
/// a PKCS#11 token) implements it; VanThuPDF never touches private keys.
public protocol PDFSignatureProducer: Sendable {
    /// Returns a DER CMS SignedData, detached, CAdES (with signing-certificate-v2),
    /// over `content`, whose digest with `digestAlgorithm` is `messageDigest`.
    ///
    /// Producers that sign a digest (tokens) use `messageDigest`; those that
    /// need the content itself may stream `content`. The signing time is the
    /// one written in the signature dictionary's /M; PAdES B-B expects no
    /// signing-time attribute in the CMS.
    func signDetached(
        messageDigest: [UInt8], digestAlgorithm: DigestAlgorithm, signingTime: Date, content: PDFSignedContent
    ) async throws -> [UInt8]
}

/// Checks one detached CMS. VanThuSigning's validator implements it with the
/// trust anchors and revocation data of the caller's policy.
public protocol PDFSignatureVerifier: Sendable {
    /// Verifies `cms` (DER SignedData) over the byte-range `content`.
    /// Throws only when verification could not run; a bad signature is a result.
    func verifyDetached(cms: [UInt8], content: PDFSignedContent, claimedSigningTime: Date?) async throws -> PDFCMSValidation
}

/// ETSI EN 319 102-1 main indications.
public enum PDFIndication: String, Sendable, Codable, Comparable {
    case totalPassed = "TOTAL_PASSED"
    case indeterminate = "INDETERMINATE"
    case totalFailed = "TOTAL_FAILED"

    /// How bad it is, as the signing core orders a document's signatures: a changed document is
    /// failed whatever else is uncertain, so TOTAL_FAILED is the worst.
    private var severity: Int {
        switch self {
        case .totalPassed: 0
        case .indeterminate: 1
        case .totalFailed: 2
        }
    }

    /// Ordered by severity: passed < indeterminate < failed; `max()` is the document's verdict.
    public static func < (lhs: PDFIndication, rhs: PDFIndication) -> Bool { lhs.severity < rhs.severity }

    /// `vanthu verify`'s exit status: 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE.
    public var exitStatus: Int32 {
        switch self {
        case .totalPassed: 0
        case .totalFailed: 1
        case .indeterminate: 2
        }
    }
}

/// The CMS verifier's verdict on one signature. `report` is the signing core's full report
/// when VanThuSigning's validator produced the verdict (`PAdESSignatureVerifier`).
public struct PDFCMSValidation: Sendable, Codable, Equatable {
    public var indication: PDFIndication
    public var subIndication: String?
    public var signer: String?
    public var signingTime: Date?
    public var checks: [String]
    public var report: SignatureReport?

    public init(indication: PDFIndication, subIndication: String? = nil, signer: String? = nil,
                signingTime: Date? = nil, checks: [String] = [], report: SignatureReport? = nil) {
        self.indication = indication
        self.subIndication = subIndication
        self.signer = signer
        self.signingTime = signingTime
        self.checks = checks
        self.report = report
    }
}
