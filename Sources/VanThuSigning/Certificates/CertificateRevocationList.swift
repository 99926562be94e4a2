import COpenSSL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An X.509 CRL, parsed once and shared read-only.
public struct CertificateRevocationList: Sendable, Hashable {
    let backing: CRLBacking
    public let der: [UInt8]
    public let issuer: DistinguishedName
    public let thisUpdate: Date
    public let nextUpdate: Date?
    public let sha256Fingerprint: String

    public init(der: [UInt8]) throws {
        OpenSSLRuntime.ready
        guard !der.isEmpty else { throw SigningError(.malformedInput, "The CRL is empty.") }
        guard let parsed = decodeDER(der[...], { d2i_X509_CRL(nil, $0, $1) }) else { throw OpenSSLErrorQueue.error(.malformedInput, "The data is not a DER-encoded CRL.") }
        try self.init(backing: CRLBacking(taking: parsed))
    }

    /// Every CRL in PEM text, or the one CRL of a DER file.
    public static func parseAll(_ bytes: [UInt8]) throws -> [CertificateRevocationList] {
        OpenSSLRuntime.ready
        guard bytes.first != 0x30 else {
            return [try CertificateRevocationList(der: bytes)]
        }
        return try withMemoryBIO(bytes) { bio in
            var result: [CertificateRevocationList] = []
            while let crl = PEM_read_bio_X509_CRL(bio, nil, vt_passphrase_cb(), nil) {
                result.append(try CertificateRevocationList(backing: CRLBacking(taking: crl)))
            }
            OpenSSLErrorQueue.clear()
            guard !result.isEmpty else { throw SigningError(.malformedInput, "The PEM CRL block is damaged and cannot be read.") }
            return result
        }
    }

    public static func load(contentsOf path: String) throws -> [CertificateRevocationList] {
        try parseAll(readFile(path, what: "CRL file", limit: 256 << 20))
    }

    init(backing: CRLBacking) throws {
        let crl = backing.pointer
        self.backing = backing
        guard let der = encodeDER({ i2d_X509_CRL(crl, $0) }) else {
            throw OpenSSLErrorQueue.error(.malformedInput, "The CRL cannot be re-encoded.")
        }
        self.der = der
        issuer = DistinguishedName(x509Name: X509_CRL_get_issuer(crl))
        guard let thisUpdate = Date(asn1Time: X509_CRL_get0_lastUpdate(crl)) else {
            throw OpenSSLErrorQueue.error(.malformedInput, "The CRL's thisUpdate date cannot be read.")
        }
        self.thisUpdate = thisUpdate
        nextUpdate = Date(asn1Time: X509_CRL_get0_nextUpdate(crl))
        sha256Fingerprint = StreamingDigest.hash(der).hexString
    }

    /// True when `issuer` signed this CRL, is allowed to sign CRLs, and names match.
    func isSigned(by issuerCertificate: Certificate) -> Bool {
        defer { OpenSSLErrorQueue.clear() }
        guard X509_NAME_cmp(X509_CRL_get_issuer(backing.pointer), X509_get_subject_name(issuerCertificate.backing.pointer)) == 0 else {
            return false
        }
        if let usage = issuerCertificate.keyUsage, !usage.contains(.crlSign) { return false }
        guard let key = X509_get0_pubkey(issuerCertificate.backing.pointer) else { return false }
        return X509_CRL_verify(backing.pointer, key) == 1
    }

    struct Entry { let revocationTime: Date; let reason: String? }

    /// The revocation entry for `certificate`, if this CRL lists it (removeFromCRL entries excluded).
    func entry(for certificate: Certificate) -> Entry? {
        var revoked: OpaquePointer?
        let found = X509_CRL_get0_by_cert(backing.pointer, &revoked, certificate.backing.pointer)
        guard found == 1, let revoked, let time = Date(asn1Time: X509_REVOKED_get0_revocationDate(revoked)) else { return nil }
        var reason: String?
        if let raw = X509_REVOKED_get_ext_d2i(revoked, NID_crl_reason, nil, nil) {
            let value = ASN1_ENUMERATED_get(raw.assumingMemoryBound(to: ASN1_ENUMERATED.self))
            ASN1_ENUMERATED_free(raw.assumingMemoryBound(to: ASN1_ENUMERATED.self))
            let names = ["unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
                         "cessationOfOperation", "certificateHold", "", "removeFromCRL", "privilegeWithdrawn", "aACompromise"]
            reason = value >= 0 && value < names.count ? names[Int(value)] : "reason \(value)"
        }
        return Entry(revocationTime: time, reason: reason)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(sha256Fingerprint) }
}
