import COpenSSL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Key contexts ready for EVP_PKEY_sign or EVP_PKEY_verify (operation, digest and padding set
/// once), each with a digest context beside it. An operation takes a pair, uses it alone and
/// hands it back. Copying a prepared EVP_MD_CTX for every operation, as EVP_DigestSign and
/// EVP_DigestVerify need, costs OpenSSL 3.0 a dozen allocations and a provider-context
/// duplication each time; `openssl speed` measures EVP_PKEY_sign and EVP_PKEY_verify on one
/// prepared context.
final class KeyOperationContexts: @unchecked Sendable {
    enum Operation { case sign, verify }

    /// Owned by whoever took it from `idle`; never used by two threads at once.
    private struct Pair: @unchecked Sendable {
        let key: OpaquePointer
        let digest: OpaquePointer
    }

    /// The key's owner (a private key or a certificate), kept alive as long as the contexts.
    private let owner: AnyObject
    private let key: OpaquePointer
    private let operation: Operation
    private let md: OpaquePointer
    private let pss: Bool
    private let idle = Mutex<[Pair]>([])
    /// More idle pairs than threads working at once would only hold memory.
    private static let idleLimit = 16

    /// nil when OpenSSL cannot set up a context for this key, digest and padding.
    init?(key: OpaquePointer, owner: AnyObject, operation: Operation, digestNID: Int32, pss: Bool) {
        guard let md = FetchedDigest.md(nid: digestNID) else { return nil }
        self.owner = owner
        self.key = key
        self.operation = operation
        self.md = md
        self.pss = pss
        guard let first = make() else { return nil }
        idle.withLock { $0.append(first) }
    }

    deinit {
        for pair in idle.withLock({ $0 }) { free(pair) }
    }

    /// Hashes `message` with the digest and runs `body` on the key context and the hash. A
    /// context whose operation failed is freed, not reused: OpenSSL does not promise it is intact.
    func run(over message: UnsafeRawBufferPointer,
             _ body: (_ keyContext: OpaquePointer, _ hash: UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        guard let pair = idle.withLock({ $0.popLast() }) ?? make() else { return false }
        var hash = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let succeeded = withUnsafeMutableBytes(of: &hash) { buffer -> Bool in
            let bytes = buffer.bindMemory(to: UInt8.self)
            var length: UInt32 = 0
            guard EVP_DigestInit_ex2(pair.digest, md, nil) == 1,
                  EVP_DigestUpdate(pair.digest, message.baseAddress, message.count) == 1,
                  EVP_DigestFinal_ex(pair.digest, bytes.baseAddress, &length) == 1 else { return false }
            return body(pair.key, UnsafeBufferPointer(rebasing: bytes.prefix(Int(length))))
        }
        guard succeeded else {
            free(pair)
            return false
        }
        let kept = idle.withLock { list -> Bool in
            guard list.count < Self.idleLimit else { return false }
            list.append(pair)
            return true
        }
        if !kept { free(pair) }
        return true
    }

    private func make() -> Pair? {
        let copy = copyOfKey()
        defer { if let copy { EVP_PKEY_free(copy) } }   // the context holds its own reference
        guard let keyContext = EVP_PKEY_CTX_new_from_pkey(nil, copy ?? key, nil) else { return nil }
        let started = switch operation {
        case .sign: EVP_PKEY_sign_init(keyContext) == 1
        case .verify: EVP_PKEY_verify_init(keyContext) == 1
        }
        guard started, EVP_PKEY_CTX_set_signature_md(keyContext, md) > 0 else {
            EVP_PKEY_CTX_free(keyContext)
            return nil
        }
        if pss && [EVP_PKEY_RSA, EVP_PKEY_RSA_PSS].contains(EVP_PKEY_get_base_id(copy ?? key)) {
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) > 0,
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) > 0,
                  EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, md) > 0 else {
                EVP_PKEY_CTX_free(keyContext)
                return nil
            }
        }
        guard let digestContext = EVP_MD_CTX_new() else {
            EVP_PKEY_CTX_free(keyContext)
            return nil
        }
        return Pair(key: keyContext, digest: digestContext)
    }

    /// A copy of the key for one context, so that threads do not contend for the lock OpenSSL
    /// keeps per key (RSA's Montgomery and blinding caches); nil, to share the key, unless the
    /// default provider holds it in memory. A token's key is never copied: copies of an EC key
    /// loaded through the pkcs11 engine share the engine's key data, and freeing one frees it
    /// for every other.
    private func copyOfKey() -> OpaquePointer? {
        guard let provider = EVP_PKEY_get0_provider(key), let name = OSSL_PROVIDER_get0_name(provider),
              strcmp(name, "default") == 0 else { return nil }
        guard let copy = EVP_PKEY_dup(key) else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        return copy
    }

    private func free(_ pair: Pair) {
        EVP_PKEY_CTX_free(pair.key)
        EVP_MD_CTX_free(pair.digest)
    }
}
