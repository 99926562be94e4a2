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
    /// The cRLNumber as a big-endian magnitude without leading zeros; nil when absent.
    let number: [UInt8]?
    /// The digest of the issuer's signature (`SHA256`, `MD5`…), nil when unknown.
    let signatureDigest: String?
    /// `VT_CRL_*` flags: delta, unhandled critical extensions, issuingDistributionPoint scope.
    private let facts: Int32
    private func has(_ flag: Int) -> Bool { Int(facts) & flag != 0 }

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
            do {
                return [try CertificateRevocationList(der: bytes)]
            } catch {
                if (try? Certificate(der: bytes)) != nil { throw SigningError(.malformedInput, "The file holds a certificate, not a CRL.") }
                throw error
            }
        }
        guard !bytes.isEmpty else { throw SigningError(.malformedInput, "The CRL file is empty.") }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("-----BEGIN X509 CRL-----") else {
            throw SigningError(.malformedInput, text.contains("-----BEGIN CERTIFICATE-----")
                ? "The file holds a certificate, not a CRL." : "The data is not a CRL in PEM or DER form.")
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
        let bytes = try readFile(path, what: "CRL file", limit: 256 << 20)
        do {
            return try parseAll(bytes)
        } catch let error as SigningError {
            throw error.naming("CRL file", path)
        }
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
        if let raw = X509_CRL_get_ext_d2i(crl, NID_crl_number, nil, nil) {
            let integer = raw.assumingMemoryBound(to: ASN1_INTEGER.self)
            defer { ASN1_INTEGER_free(integer) }
            var magnitude: [UInt8]?
            if let bignum = ASN1_INTEGER_to_BN(integer, nil) {
                var bytes = [UInt8](repeating: 0, count: Int((BN_num_bits(bignum) + 7) / 8))
                BN_bn2bin(bignum, &bytes)
                BN_free(bignum)
                magnitude = bytes
            }
            number = magnitude
        } else {
            number = nil
        }
        var digestNID: Int32 = 0
        let signatureNID = X509_CRL_get_signature_nid(crl)
        signatureDigest = OBJ_find_sigid_algs(signatureNID, &digestNID, nil) == 1 && digestNID != NID_undef
            ? OBJ_nid2sn(digestNID).map { String(cString: $0) } : nil
        facts = vt_crl_facts(crl)
        OpenSSLErrorQueue.clear()
    }

    /// A delta CRL lists only changes since a base CRL: it is never a complete answer.
    var isDelta: Bool { has(VT_CRL_DELTA) }

    /// A critical CRL or entry extension VanThu does not process: RFC 5280 §5.2 forbids using
    /// such a CRL to decide anyone's status.
    var hasUnhandledCriticalExtension: Bool { has(VT_CRL_UNHANDLED_CRITICAL) }

    /// Whether this CRL's scope (its issuingDistributionPoint, RFC 5280 §5.2.5 and §6.3.3)
    /// covers `certificate` for every revocation reason. Distribution point URIs match with
    /// scheme and host compared without regard to case (§7.4). A CRL without the extension covers
    /// every certificate its issuer signed; one limited to some reasons, to attribute
    /// certificates, or indirect (entries for other issuers) is not used; one limited to CA or
    /// to end-entity certificates covers only those; a partitioned CRL covers a certificate only
    /// when one of the certificate's CRL distribution points names it.
    func covers(_ certificate: Certificate) -> Bool {
        guard has(VT_CRL_IDP) else { return true }
        if has(VT_CRL_IDP_UNREADABLE) || has(VT_CRL_IDP_SOME_REASONS)
            || has(VT_CRL_IDP_INDIRECT) || has(VT_CRL_IDP_ONLY_ATTRIBUTE) { return false }
        if has(VT_CRL_IDP_ONLY_USER) && certificate.isCertificateAuthority { return false }
        if has(VT_CRL_IDP_ONLY_CA) && !certificate.isCertificateAuthority { return false }
        if has(VT_CRL_IDP_NAMED) {
            defer { OpenSSLErrorQueue.clear() }
            return vt_crl_distribution_point_matches(backing.pointer, certificate.backing.pointer) == 1
        }
        return true
    }

    /// Newer first: by thisUpdate, then by cRLNumber (RFC 5280 §5.2.3: a larger number is a
    /// later CRL).
    static func isNewer(_ lhs: Self, than rhs: Self) -> Bool {
        if lhs.thisUpdate != rhs.thisUpdate { return lhs.thisUpdate > rhs.thisUpdate }
        let left = lhs.number ?? [], right = rhs.number ?? []
        return left.count != right.count ? left.count > right.count : right.lexicographicallyPrecedes(left)
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

    struct Entry {
        let revocationTime: Date
        let reason: String?
        /// certificateHold: suspended, not revoked; a later CRL may lift it.
        var isHold: Bool { reason == "certificateHold" }
        /// removeFromCRL, which only a delta CRL may carry (RFC 5280 §5.3.1): a hold listed in
        /// the base CRL is lifted.
        var liftsHold: Bool { reason == "removeFromCRL" }
        /// A revocation, as opposed to a suspension or its lifting.
        var isRevocation: Bool { !isHold && !liftsHold }
    }

    /// The entry for `certificate`, if this CRL lists it: a revocation, a hold, or (in a delta
    /// CRL) the lifting of a hold.
    func entry(for certificate: Certificate) -> Entry? {
        var revoked: OpaquePointer?
        // 1: listed; 2: listed with removeFromCRL.
        let found = X509_CRL_get0_by_cert(backing.pointer, &revoked, certificate.backing.pointer)
        guard found == 1 || found == 2, let revoked, let time = Date(asn1Time: X509_REVOKED_get0_revocationDate(revoked)) else { return nil }
        var reason: String?
        if let raw = X509_REVOKED_get_ext_d2i(revoked, NID_crl_reason, nil, nil) {
            let value = ASN1_ENUMERATED_get(raw.assumingMemoryBound(to: ASN1_ENUMERATED.self))
            ASN1_ENUMERATED_free(raw.assumingMemoryBound(to: ASN1_ENUMERATED.self))
            let names = ["unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
                         "cessationOfOperation", "certificateHold", "", "removeFromCRL", "privilegeWithdrawn", "aACompromise"]
            reason = value >= 0 && value < names.count && !names[Int(value)].isEmpty ? names[Int(value)] : "reason code \(value)"
        }
        return Entry(revocationTime: time, reason: reason)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(sha256Fingerprint) }
}

extension Certificate {
    /// Whether every CRL distribution point of the certificate names another CRL issuer: its
    /// status is then only in that issuer's indirect CRL (RFC 5280 §6.3.3 (b)(1)), which VanThu
    /// does not use, and no CRL of its own CA covers it.
    var namesAnotherCRLIssuer: Bool {
        defer { OpenSSLErrorQueue.clear() }
        return vt_crl_issuer_named_elsewhere(backing.pointer) == 1
    }
}
