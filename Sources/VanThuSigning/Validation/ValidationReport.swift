#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// ETSI EN 319 102-1 main indication.
public enum Indication: String, Sendable, Codable, CaseIterable {
    case totalPassed = "TOTAL_PASSED"
    case totalFailed = "TOTAL_FAILED"
    case indeterminate = "INDETERMINATE"

    /// How bad an indication is, to combine several signatures into one document result.
    var severity: Int {
        switch self {
        case .totalPassed: 0
        case .indeterminate: 1
        case .totalFailed: 2
        }
    }
}

/// ETSI EN 319 102-1 sub-indications VanThu reports.
public enum SubIndication: String, Sendable, Codable, CaseIterable {
    case formatFailure = "FORMAT_FAILURE"
    case hashFailure = "HASH_FAILURE"
    case sigCryptoFailure = "SIG_CRYPTO_FAILURE"
    case notYetValid = "NOT_YET_VALID"
    case revokedNoPOE = "REVOKED_NO_POE"
    case revokedCANoPOE = "REVOKED_CA_NO_POE"
    case noSigningCertificateFound = "NO_SIGNING_CERTIFICATE_FOUND"
    case noCertificateChainFound = "NO_CERTIFICATE_CHAIN_FOUND"
    case certificateChainGeneralFailure = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    case outOfBoundsNoPOE = "OUT_OF_BOUNDS_NO_POE"
    case chainConstraintsFailure = "CHAIN_CONSTRAINTS_FAILURE"
    case cryptoConstraintsFailure = "CRYPTO_CONSTRAINTS_FAILURE"
    case sigConstraintsFailure = "SIG_CONSTRAINTS_FAILURE"
    case tryLater = "TRY_LATER"
}

/// The signature format a report is about; PDF and XML verifiers reuse the same report.
public enum SignatureFormat: String, Sendable, Codable, CaseIterable {
    case cms = "CMS"
    case cades = "CAdES"
    case pades = "PAdES"
    case xades = "XAdES"
    case xmldsig = "XMLDSig"
}

/// One check of the validation, with its outcome and a sentence saying why.
public struct ValidationCheck: Sendable, Hashable, Codable {
    public enum Result: String, Sendable, Codable { case passed = "PASSED", failed = "FAILED", warning = "WARNING" }
    /// Stable identifier, e.g. `message-digest`, `certificate-chain`, `revocation`.
    public let id: String
    public let result: Result
    public let reason: String
    /// The sub-indication this check's failure leads to, when it failed.
    public let subIndication: SubIndication?

    public init(id: String, result: Result, reason: String, subIndication: SubIndication? = nil) {
        self.id = id
        self.result = result
        self.reason = reason
        self.subIndication = subIndication
    }
}

/// A certificate as a report shows it.
public struct CertificateSummary: Sendable, Hashable, Codable {
    public let subject: String
    public let subjectAttributes: [DistinguishedName.Attribute]
    public let commonName: String?
    public let issuer: String
    public let serialNumber: String
    public let sha256Fingerprint: String
    public let notBefore: Date
    public let notAfter: Date
    public let publicKey: String
    public let signatureAlgorithm: String
    public let isTrustAnchor: Bool
    /// The name to show a person (`Certificate.displayName`): never empty. Not in the JSON,
    /// which has the parts; a decoded report works it out again from them, without the
    /// subjectAltName an empty subject falls back to.
    public let displayName: String

    private enum CodingKeys: String, CodingKey {
        case subject, subjectAttributes, commonName, issuer, serialNumber, sha256Fingerprint, notBefore, notAfter,
             publicKey, signatureAlgorithm, isTrustAnchor
    }

    public init(_ certificate: Certificate, isTrustAnchor: Bool = false) {
        displayName = certificate.displayName
        subject = certificate.subject.description
        subjectAttributes = certificate.subject.attributes
        commonName = certificate.subject.commonName
        issuer = certificate.issuer.description
        serialNumber = certificate.serialNumber
        sha256Fingerprint = certificate.sha256Fingerprint
        notBefore = certificate.notBefore
        notAfter = certificate.notAfter
        publicKey = certificate.publicKey.description
        signatureAlgorithm = certificate.signatureAlgorithm
        self.isTrustAnchor = isTrustAnchor
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        subject = try container.decode(String.self, forKey: .subject)
        subjectAttributes = try container.decode([DistinguishedName.Attribute].self, forKey: .subjectAttributes)
        commonName = try container.decodeIfPresent(String.self, forKey: .commonName)
        issuer = try container.decode(String.self, forKey: .issuer)
        serialNumber = try container.decode(String.self, forKey: .serialNumber)
        sha256Fingerprint = try container.decode(String.self, forKey: .sha256Fingerprint)
        notBefore = try container.decode(Date.self, forKey: .notBefore)
        notAfter = try container.decode(Date.self, forKey: .notAfter)
        publicKey = try container.decode(String.self, forKey: .publicKey)
        signatureAlgorithm = try container.decode(String.self, forKey: .signatureAlgorithm)
        isTrustAnchor = try container.decode(Bool.self, forKey: .isTrustAnchor)
        displayName = DistinguishedName.displayName(subjectAttributes, description: subject)
            ?? Certificate.unnamed(serialNumber: serialNumber)
    }
}

/// Revocation status of one certificate of the chain.
public struct RevocationStatus: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable { case good = "GOOD", revoked = "REVOKED", unknown = "UNKNOWN" }
    public let sha256Fingerprint: String
    public let subject: String
    public let status: Status
    /// `CRL` when a CRL decided, nil when no usable revocation data was found.
    public let source: String?
    public let crlIssuer: String?
    public let thisUpdate: Date?
    public let nextUpdate: Date?
    public let revocationTime: Date?
    public let revocationReason: String?
    public let reason: String
}

/// The validation of one signature.
public struct SignatureReport: Sendable, Hashable, Codable {
    /// Position-based identifier within the document, e.g. `signature-1`.
    public let id: String
    public let format: SignatureFormat
    public let indication: Indication
    public let subIndication: SubIndication?
    public let signer: CertificateSummary?
    /// The signingTime attribute: claimed by the signer, not a proof of existence.
    public let claimedSigningTime: Date?
    public let digestAlgorithm: String?
    public let signatureAlgorithm: String?
    /// Signer first, trust anchor last.
    public let chain: [CertificateSummary]
    public let revocation: [RevocationStatus]
    public let checks: [ValidationCheck]
    /// For a signature inside a document (PDF): what it covers and what was appended after it.
    public internal(set) var coverage: DocumentCoverage? = nil
}

/// Policy as the report names it.
public struct PolicySummary: Sendable, Hashable, Codable {
    public let name: String
    public let description: String
}

/// The report for one signed document, holding one report per signature (a CMS file has
/// one signer as a rule; a PDF may carry several signatures).
public struct ValidationReport: Sendable, Hashable, Codable {
    public static let schemaIdentifier = "https://vanthu.vn/schemas/validation-report/v1"

    public let schema: String
    public let validationTime: Date
    public let policy: PolicySummary
    public let document: String?
    /// The worst indication among the signatures.
    public let indication: Indication
    public let subIndication: SubIndication?
    public let signatures: [SignatureReport]

    public init(validationTime: Date, policy: PolicySummary, document: String?, signatures: [SignatureReport]) {
        schema = Self.schemaIdentifier
        self.validationTime = validationTime
        self.policy = policy
        self.document = document
        self.signatures = signatures
        let worst = signatures.max { $0.indication.severity < $1.indication.severity }
        indication = worst?.indication ?? .totalFailed
        subIndication = worst.map(\.subIndication) ?? .formatFailure
    }

    /// JSON following Schemas/validation-report.schema.json, dates in RFC 3339 (UTC, proleptic
    /// Gregorian: Foundation's `.iso8601` turns Julian before 1582).
    public func json(pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ReportDate.utc(date))
        }
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys]
        return try encoder.encode(self)
    }

    public static func decode(json: Data) throws -> ValidationReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ReportDate.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text) is not an RFC 3339 time.")
            }
            return date
        }
        return try decoder.decode(ValidationReport.self, from: json)
    }
}
