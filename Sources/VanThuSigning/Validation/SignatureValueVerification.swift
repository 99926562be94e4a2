import COpenSSL
import Synchronization

/// Verifies a SignerInfo's signature value over its signed attributes with EVP_DigestVerify.
///
/// `CMS_SignerInfo_verify` re-encodes the signed attributes from OpenSSL's parsed form and fetches
/// the digest and signature implementations on every call. Here the bytes verified are the
/// signed attributes exactly as they appear in the signature, re-tagged as a SET OF (RFC 5652
/// §5.4), and the verification context for a certificate's key and a digest is set up once and
/// copied for each signature. PKCS#1 v1.5 and ECDSA only: any other algorithm (RSA-PSS with its
/// parameters, SHA-1, Ed25519) and any signer whose attributes could not be located in the DER go
/// through `CMS_SignerInfo_verify` as before.
enum SignatureValueVerification {
    static func verify(_ signer: OpaquePointer, certificate: Certificate, digestNID: Int32,
                       signedAttributes: ArraySlice<UInt8>?, storage: TrustStore.Storage) -> Bool {
        guard checkAttributeRules(signer) else { return false }
        guard let signedAttributes, let context = storage.verificationContext(for: certificate, digestNID: digestNID),
              context.accepts(signatureAlgorithmNID(signer)),
              let value = CMS_SignerInfo_get0_signature(signer) else {
            return CMS_SignerInfo_verify(signer) == 1
        }
        var setOf = [UInt8]()
        setOf.reserveCapacity(DER.headerLength(signedAttributes.count) + signedAttributes.count)
        DER.appendHeader(&setOf, tag: 0x31, length: signedAttributes.count)
        setOf.append(contentsOf: signedAttributes)
        return context.verify(signature: value, over: setOf)
    }

    private static func signatureAlgorithmNID(_ signer: OpaquePointer) -> Int32 {
        var algorithm: UnsafeMutablePointer<X509_ALGOR>?
        CMS_SignerInfo_get0_algs(signer, nil, nil, nil, &algorithm)
        var object: OpaquePointer?
        X509_ALGOR_get0(&object, nil, nil, algorithm)
        return OBJ_obj2nid(object)
    }

    /// RFC 5652 §11 as OpenSSL's CMS_SignerInfo_verify enforces it: contentType, messageDigest,
    /// signingTime and the ESS attributes appear at most once, with one value, and only signed;
    /// countersignatures only unsigned.
    private static let signedOnly: [Int32] = [NID_pkcs9_contentType, NID_pkcs9_messageDigest, NID_pkcs9_signingTime,
                                              NID_id_smime_aa_signingCertificate, NID_id_smime_aa_signingCertificateV2,
                                              NID_id_smime_aa_receiptRequest]

    static func checkAttributeRules(_ signer: OpaquePointer) -> Bool {
        var seen: UInt32 = 0   // bit i: signedOnly[i] met
        for index in 0..<CMS_signed_get_attr_count(signer) {
            guard let attribute = CMS_signed_get_attr(signer, index) else { return false }
            let nid = OBJ_obj2nid(X509_ATTRIBUTE_get0_object(attribute))
            if nid == NID_pkcs9_countersignature { return false }
            if let position = signedOnly.firstIndex(of: nid) {
                let bit = UInt32(1) << UInt32(position)
                guard seen & bit == 0, X509_ATTRIBUTE_count(attribute) == 1 else { return false }
                seen |= bit
            }
        }
        for index in 0..<max(CMS_unsigned_get_attr_count(signer), 0) {
            guard let attribute = CMS_unsigned_get_attr(signer, index) else { return false }
            if signedOnly.contains(OBJ_obj2nid(X509_ATTRIBUTE_get0_object(attribute))) { return false }
        }
        return true
    }
}

/// An EVP_MD_CTX initialised to verify with one certificate's public key and one digest; never
/// used itself, only copied, so concurrent verifications share no mutable state.
final class VerificationContext: @unchecked Sendable {
    private let context: OpaquePointer
    private let keyType: Int32
    /// Keeps the public key, owned by the certificate, alive as long as the context.
    private let certificate: X509Backing

    init?(certificate: Certificate, digestNID: Int32) {
        guard [NID_sha256, NID_sha384, NID_sha512].contains(digestNID),
              let key = X509_get0_pubkey(certificate.backing.pointer) else { return nil }
        let type = EVP_PKEY_get_base_id(key)
        guard type == EVP_PKEY_RSA || type == EVP_PKEY_EC,
              let md = FetchedDigest.md(nid: digestNID), let context = EVP_MD_CTX_new() else { return nil }
        guard EVP_DigestVerifyInit_ex(context, nil, EVP_MD_get0_name(md), nil, nil, key, nil) == 1 else {
            EVP_MD_CTX_free(context)
            return nil
        }
        self.context = context
        self.keyType = type
        self.certificate = certificate.backing
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Whether a SignerInfo's signatureAlgorithm is one this context verifies as OpenSSL's CMS
    /// code would: RSA PKCS#1 v1.5, or ECDSA, with the SignerInfo's digest algorithm.
    func accepts(_ signatureAlgorithmNID: Int32) -> Bool {
        switch keyType {
        case EVP_PKEY_RSA:
            [NID_rsaEncryption, NID_sha256WithRSAEncryption, NID_sha384WithRSAEncryption,
             NID_sha512WithRSAEncryption].contains(signatureAlgorithmNID)
        case EVP_PKEY_EC:
            [NID_X9_62_id_ecPublicKey, NID_ecdsa_with_SHA256, NID_ecdsa_with_SHA384,
             NID_ecdsa_with_SHA512].contains(signatureAlgorithmNID)
        default:
            false
        }
    }

    func verify(signature: UnsafePointer<ASN1_OCTET_STRING>, over bytes: [UInt8]) -> Bool {
        guard let copy = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(copy) }
        guard EVP_MD_CTX_copy_ex(copy, context) == 1 else { return false }
        // The copy is used once: without this flag, finishing would duplicate the key context again.
        EVP_MD_CTX_set_flags(copy, EVP_MD_CTX_FLAG_FINALISE)
        guard let data = ASN1_STRING_get0_data(signature) else { return false }
        return EVP_DigestVerify(copy, data, Int(ASN1_STRING_length(signature)), bytes, bytes.count) == 1
    }
}

extension TrustStore.Storage {
    /// The verification context for a signer's certificate and digest, made once: the same
    /// signers come back signature after signature. Keyed by the SHA-256 of the certificate's DER.
    func verificationContext(for certificate: Certificate, digestNID: Int32) -> VerificationContext? {
        let key = VerificationContextKey(fingerprint: certificate.sha256Fingerprint, digestNID: digestNID)
        if let known = verificationContexts.withLock({ $0[key] }) { return known }
        let made = VerificationContext(certificate: certificate, digestNID: digestNID)
        verificationContexts.withLock {
            if $0.count >= Self.cacheLimit { $0.removeAll(keepingCapacity: true) }
            $0[key] = .some(made)
        }
        return made
    }
}

struct VerificationContextKey: Hashable {
    let fingerprint: String
    let digestNID: Int32
}
