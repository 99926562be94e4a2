import COpenSSL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Validates detached CMS/CAdES signatures against a trust store and a policy, producing an
/// ETSI EN 319 102-1 style report. Safe to use from many tasks at once.
public struct SignatureValidator: Sendable {
    public let trustStore: TrustStore
    public let policy: ValidationPolicy
    /// What this validator concluded about signers' certificates, for as long as it holds.
    let assessments = CertificateAssessments()

    public init(trustStore: TrustStore, policy: ValidationPolicy = .default) {
        self.trustStore = trustStore
        self.policy = policy
    }

    /// Validates a detached signature over a file, hashing it as a stream on a background thread.
    /// Throws only when the content file cannot be read; every problem with the signature is in the report.
    public func validate(signature: [UInt8], contentAt path: String, at validationTime: Date = Date(),
                         untrusted: [Certificate] = [], format: SignatureFormat? = nil) async throws -> ValidationReport {
        try await BlockingWork.run {
            try self.validateSynchronously(signature: signature, contentAt: path, at: validationTime,
                                           untrusted: untrusted, format: format)
        }
    }

    /// Validates a detached signature over content given as chunks (e.g. a PDF's /ByteRange pieces).
    public func validate<Chunks: AsyncSequence>(signature: [UInt8], contentChunks: Chunks, at validationTime: Date = Date(),
                                                untrusted: [Certificate] = [], format: SignatureFormat? = nil,
                                                documentName: String? = nil) async throws -> ValidationReport
    where Chunks.Element == [UInt8] {
        // Parsed once, off the cooperative pool (a certificate met for the first time is decoded
        // by OpenSSL); the digest algorithms tell what to hash the chunks with.
        let parsed: CMSParsing.Parsed
        switch try await BlockingWork.run({ self.parse(signature) }) {
        case .failure(let problem): return formatFailure(problem, at: validationTime, document: documentName, format: format)
        case .success(let value): parsed = value
        }
        let hasher = ChunkHasher(nids: CMSParsing.digestNIDs(of: parsed.signedData))
        try await hasher.consume(contentChunks)
        let digests = hasher.finalize()
        return try await BlockingWork.run {
            self.evaluate(parsed, digests: digests, at: validationTime, untrusted: untrusted, format: format, document: documentName)
        }
    }

    /// Blocking form for callers already off the cooperative pool.
    public func validateSynchronously(signature: [UInt8], contentAt path: String, at validationTime: Date = Date(),
                                      untrusted: [Certificate] = [], format: SignatureFormat? = nil) throws -> ValidationReport {
        let document = Self.fileName(path)
        switch parse(signature) {
        case .failure(let problem):
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw SigningError(.unreadableFile, "The file \(path) cannot be opened.")
            }
            return formatFailure(problem, at: validationTime, document: document, format: format)
        case .success(let parsed):
            let hashers = CMSParsing.digestNIDs(of: parsed.signedData).compactMap { nid in AnyDigest(nid: nid).map { (nid, $0) } }
            try readFileInChunks(path) { bytes in for (_, hasher) in hashers { hasher.update(bytes) } }
            let digests = Dictionary(uniqueKeysWithValues: hashers.map { ($0.0, $0.1.finalize()) })
            return evaluate(parsed, digests: digests, at: validationTime, untrusted: untrusted, format: format, document: document)
        }
    }

    /// Blocking validation over chunks held in memory.
    public func validateSynchronously<Chunks: Sequence>(signature: [UInt8], contentChunks: Chunks, at validationTime: Date = Date(),
                                                        untrusted: [Certificate] = [], format: SignatureFormat? = nil,
                                                        documentName: String? = nil) -> ValidationReport
    where Chunks.Element == [UInt8] {
        switch parse(signature) {
        case .failure(let problem):
            return formatFailure(problem, at: validationTime, document: documentName, format: format)
        case .success(let parsed):
            let hasher = ChunkHasher(nids: CMSParsing.digestNIDs(of: parsed.signedData))
            for chunk in contentChunks { hasher.update(chunk) }
            return evaluate(parsed, digests: hasher.finalize(), at: validationTime, untrusted: untrusted, format: format, document: documentName)
        }
    }

    /// The last component of a path, as reports name the document.
    static func fileName(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        let name = String(path[path.index(after: slash)...])
        return name.isEmpty ? path.split(separator: "/").last.map(String.init) ?? path : name
    }

    private func parse(_ signature: [UInt8]) -> Result<CMSParsing.Parsed, FormatProblem> {
        let storage = trustStore.storage
        return CMSParsing.parse(signature) { storage.certificate(der: $0) }
    }

    private func evaluate(_ parsed: CMSParsing.Parsed, digests: [Int32: [UInt8]], at validationTime: Date, untrusted: [Certificate],
                          format: SignatureFormat?, document: String?) -> ValidationReport {
        let evaluation = SignerEvaluation(storage: trustStore.storage, policy: policy, validationTime: validationTime,
                                          candidates: parsed.embedded + untrusted, format: format, assessments: assessments)
        let reports = parsed.signedData.signers.enumerated().map { index, signer in
            evaluation.evaluate(signer: signer, index: index, in: parsed.signedData, contentDigests: digests)
        }
        return ValidationReport(validationTime: validationTime, policy: policy.summary, document: document, signatures: reports)
    }

    private func formatFailure(_ problem: FormatProblem, at validationTime: Date, document: String?,
                               format: SignatureFormat?) -> ValidationReport {
        let check = ValidationCheck(id: "format", result: .failed, reason: problem.reason, subIndication: .formatFailure)
        let report = SignatureReport(id: "signature-1", format: format ?? .cms, indication: .totalFailed,
                                     subIndication: .formatFailure, signer: nil, claimedSigningTime: nil,
                                     digestAlgorithm: nil, signatureAlgorithm: nil, chain: [], revocation: [], checks: [check])
        return ValidationReport(validationTime: validationTime, policy: policy.summary, document: document, signatures: [report])
    }
}
