import COpenSSL
import Synchronization

/// Verifies a SignerInfo's signature value over its signed attributes: their digest, then
/// EVP_PKEY_verify, as EVP_DigestVerify does.
///
/// The bytes verified are the signed attributes exactly as they appear in the signature,
/// re-tagged as a SET OF (RFC 5652 §5.4), and the contexts for a certificate's key and a digest
/// are set up once and reused, one signature at a time each. `SignedData` only accepts values
/// OpenSSL encodes back unchanged, so these are the bytes `CMS_SignerInfo_verify` would verify.
/// PKCS#1 v1.5 and ECDSA only, over attributes in DER order, in signatures received as DER: any
/// other algorithm (RSA-PSS with its parameters, SHA-1, Ed25519), attributes out of order and
/// signatures received as PEM or BER go to `CMS_SignerInfo_verify` itself.
enum SignatureValueVerification {
    /// A signer that breaks an RFC 5652 §11 attribute rule (`SignerInfo.attributeRuleViolation`)
    /// does not verify, as in OpenSSL; `SignerEvaluation` reports the rule itself.
    static func verify(_ signer: SignedData.SignerInfo, index: Int, in signedData: SignedData, certificate: Certificate,
                       digestNID: Int32, storage: TrustStore.Storage) -> Bool {
        guard signer.attributeRuleViolation == nil else { return false }
        guard signedData.receivedAsNonDER == nil, let signedAttributes = signer.signedAttributesContent,
              signer.signedAttributesInDEROrder,
              let context = storage.verificationContext(for: certificate, digestNID: digestNID),
              context.accepts(signer.signatureAlgorithm.nid) else {
            return verifiedByOpenSSL(signer, index: index, in: signedData, certificate: certificate)
        }
        return context.verify(signature: signer.signatureValue, over: DER.tlv(0x31, signedAttributes))
    }

    /// `CMS_SignerInfo_verify` on OpenSSL's own parse of the signature, for what the faster path
    /// does not handle. A DER signature is parsed without its certificates: they are not signed,
    /// the signer's is given, and OpenSSL 3.0 would decode every one's public key again. Its
    /// SignerInfos are in the order the walk read them, so `index` names the same one.
    ///
    /// A signature received as PEM or BER is parsed as received, and `signer` was read from
    /// OpenSSL's DER re-encoding of it, which sorts the SignerInfos as a DER SET OF requires: the
    /// index may name another SignerInfo there. Both are the same parse, so the SignerInfos of one
    /// are those of the other in another order; the one with `signer`'s signature value is
    /// `signer`. Should several carry that value, each must verify, so that whichever `signer` is,
    /// it verified.
    private static func verifiedByOpenSSL(_ signer: SignedData.SignerInfo, index: Int, in signedData: SignedData,
                                          certificate: Certificate) -> Bool {
        defer { OpenSSLErrorQueue.clear() }
        let bytes = signedData.receivedAsNonDER ?? signedData.withoutCertificates
        let (parsed, consumed) = CMSParsing.parsedByOpenSSL(bytes)
        guard let parsed else { return false }
        let cms = CMSBacking(taking: parsed)
        return withExtendedLifetime(cms) {
            let signers = CMS_get0_SignerInfos(cms.pointer)
            let count = vt_sk_CMS_SignerInfo_num(signers)
            guard consumed == bytes.count, index < count else { return false }
            func verified(_ info: OpaquePointer) -> Bool {
                CMS_SignerInfo_set1_signer_cert(info, certificate.backing.pointer)
                return CMS_SignerInfo_verify(info) == 1
            }
            guard signedData.receivedAsNonDER != nil else {
                return vt_sk_CMS_SignerInfo_value(signers, Int32(index)).map(verified) ?? false
            }
            var found = false
            for position in 0..<count {
                guard let info = vt_sk_CMS_SignerInfo_value(signers, position),
                      let value = CMS_SignerInfo_get0_signature(info),
                      UnsafeBufferPointer(start: ASN1_STRING_get0_data(value), count: Int(ASN1_STRING_length(value)))
                          .elementsEqual(signer.signatureValue) else { continue }
                guard verified(info) else { return false }
                found = true
            }
            return found
        }
    }
}

/// Public-key contexts set up to verify with one certificate's key and one digest (see
/// `KeyOperationContexts`), so concurrent verifications share no mutable state.
final class VerificationContext: Sendable {
    private let contexts: KeyOperationContexts
    private let keyType: Int32

    init?(certificate: Certificate, digestNID: Int32) {
        guard [NID_sha256, NID_sha384, NID_sha512].contains(digestNID),
              let key = X509_get0_pubkey(certificate.backing.pointer) else { return nil }
        let type = EVP_PKEY_get_base_id(key)
        guard type == EVP_PKEY_RSA || type == EVP_PKEY_EC,
              let contexts = KeyOperationContexts(key: key, owner: certificate.backing, operation: .verify,
                                                  digestNID: digestNID, pss: false) else { return nil }
        self.contexts = contexts
        self.keyType = type
    }

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

    func verify(signature: ArraySlice<UInt8>, over bytes: [UInt8]) -> Bool {
        guard !signature.isEmpty else { return false }
        return bytes.withUnsafeBytes { message in
            signature.withUnsafeBufferPointer { value in
                contexts.run(over: message) { keyContext, hash in
                    EVP_PKEY_verify(keyContext, value.baseAddress, value.count, hash.baseAddress, hash.count) == 1
                }
            }
        }
    }
}

extension TrustStore.Storage {
    /// The verification context for a signer's certificate and digest, made once: the same
    /// signers come back signature after signature. Keyed by the SHA-256 of the certificate's DER.
    func verificationContext(for certificate: Certificate, digestNID: Int32) -> VerificationContext? {
        let key = VerificationContextKey(fingerprint: certificate.fingerprint, digestNID: digestNID)
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
    let fingerprint: CertificateFingerprint
    let digestNID: Int32
}
