import COpenSSL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The path OpenSSL built from a signer's certificate to a trust anchor, or why it could not.
struct ChainOutcome {
    struct Failure { let code: Int32; let depth: Int32; let message: String }
    /// Signer first; ends with the trust anchor when the chain is complete.
    let chain: [Certificate]
    let failure: Failure?
}

/// A verified path, the signer and candidates it was built from, and when it may be reused.
struct ChainKey: Hashable {
    let leaf: CertificateFingerprint
    let candidates: [CertificateFingerprint]
}

struct KeptChain {
    let chain: [Certificate]
    let span: TimeSpan
}

extension TrustStore.Storage {
    /// Builds and verifies the path with OpenSSL: issuer signatures, CA and path-length
    /// constraints. OpenSSL builds it at the validation time, so that among several
    /// certificates of one CA (a renewed intermediate, a re-issued root) it prefers those valid
    /// then; it does not reject expired ones, whose dates the caller judges (with revocation)
    /// and reports. The path ends at the first trust anchor. A verified path is kept for the
    /// same signer and candidates, and reused while no candidate, intermediate or anchor enters
    /// or leaves its validity: until then OpenSSL would choose the same path again.
    ///
    /// OpenSSL 3.0 takes the first untrusted certificate whose subject matches an issuer and
    /// does not go back: a path that ends at an untrusted certificate (another hierarchy's
    /// self-signed root beside its cross-certificate, an intermediate whose own CA is missing)
    /// hides another path through a certificate of the same name. So when no path is found, the
    /// certificate it ended at is left out and the path built again, a few times; when none of
    /// these finds one, the first failure is reported.
    func buildChain(leaf: Certificate, untrusted: [Certificate], at validationTime: Date) -> ChainOutcome {
        let key = ChainKey(leaf: leaf.fingerprint, candidates: untrusted.map(\.fingerprint))
        if let kept = cachedChain(for: key), kept.span.holds(at: validationTime) { return ChainOutcome(chain: kept.chain, failure: nil) }
        var candidates = untrusted + intermediates
        let first = buildChainOnce(leaf: leaf, candidates: candidates, at: validationTime)
        var result = first
        for _ in 0..<8 {
            guard let failure = result.failure, failure.subIndication == .noCertificateChainFound, result.chain.count > 1,
                  let deadEnd = result.chain.last, !anchorFingerprints.contains(deadEnd.fingerprint) else { break }
            let before = candidates.count
            candidates.removeAll { $0.fingerprint == deadEnd.fingerprint }
            guard candidates.count < before else { break }
            result = buildChainOnce(leaf: leaf, candidates: candidates, at: validationTime)
        }
        if result.failure != nil { result = first }
        if result.failure == nil,
           let span = TimeSpan(around: validationTime, between: ([leaf] + untrusted).flatMap { [$0.notBefore, $0.notAfter] } + storeInstants) {
            rememberChain(KeptChain(chain: result.chain, span: span), for: key)
        }
        return result
    }

    private func buildChainOnce(leaf: Certificate, candidates: [Certificate], at validationTime: Date) -> ChainOutcome {
        defer { OpenSSLErrorQueue.clear() }
        guard let context = X509_STORE_CTX_new() else {
            return ChainOutcome(chain: [leaf], failure: .init(code: -1, depth: 0, message: "OpenSSL could not allocate a verification context"))
        }
        defer { X509_STORE_CTX_free(context) }
        let outcome = try? withCertificateStack(candidates) { stack -> ChainOutcome in
            guard X509_STORE_CTX_init(context, store, leaf.backing.pointer, stack) == 1 else {
                return ChainOutcome(chain: [leaf], failure: .init(code: -1, depth: 0, message: "OpenSSL could not start path building"))
            }
            X509_STORE_CTX_set_flags(context, UInt(X509_V_FLAG_PARTIAL_CHAIN))
            X509_STORE_CTX_set_time(context, 0, validationTime.unixTime)
            X509_STORE_CTX_set_verify_cb(context, vt_ignore_time_errors_cb())
            let verified = X509_verify_cert(context) == 1
            var chain = certificates(in: X509_STORE_CTX_get0_chain(context))
            // With partial chains OpenSSL may go on past a trusted certificate (to the CA of a
            // trusted leaf, say): what lies beyond the anchor is neither trusted nor judged.
            if let anchor = chain.firstIndex(where: { anchorFingerprints.contains($0.fingerprint) }) {
                chain = Array(chain[...anchor])
            }
            if verified { return ChainOutcome(chain: chain, failure: nil) }
            let code = X509_STORE_CTX_get_error(context)
            let message = X509_verify_cert_error_string(Int(code)).map { String(cString: $0) } ?? "error \(code)"
            return ChainOutcome(chain: chain.isEmpty ? [leaf] : chain,
                                failure: .init(code: code, depth: X509_STORE_CTX_get_error_depth(context), message: message))
        }
        return outcome ?? ChainOutcome(chain: [leaf], failure: .init(code: -1, depth: 0, message: "OpenSSL could not build a certificate list"))
    }
}

extension ChainOutcome.Failure {
    var subIndication: SubIndication {
        switch code {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
             X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_UNTRUSTED, X509_V_ERR_CERT_CHAIN_TOO_LONG:
            .noCertificateChainFound
        case X509_V_ERR_CERT_SIGNATURE_FAILURE, X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE,
             X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD,
             X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, -1:
            .certificateChainGeneralFailure
        case X509_V_ERR_EE_KEY_TOO_SMALL, X509_V_ERR_CA_KEY_TOO_SMALL, X509_V_ERR_CA_MD_TOO_WEAK:
            .cryptoConstraintsFailure
        default:
            .chainConstraintsFailure
        }
    }
}
