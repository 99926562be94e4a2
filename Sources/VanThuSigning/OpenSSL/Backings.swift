import COpenSSL

// Each OpenSSL object VanThu keeps is owned by exactly one of these classes,
// which frees it in deinit. They are immutable after creation: OpenSSL allows
// concurrent read-only use of certificates, keys and CRLs.

final class X509Backing: @unchecked Sendable {
    let pointer: OpaquePointer
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_free(pointer) }
}

final class PrivateKeyBacking: @unchecked Sendable {
    let pointer: OpaquePointer
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_free(pointer) }
}

final class CRLBacking: @unchecked Sendable {
    let pointer: OpaquePointer
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_CRL_free(pointer) }
}

/// A CMS structure. Not shared between threads: CMS objects cache state when read.
final class CMSBacking {
    let pointer: OpaquePointer
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { CMS_ContentInfo_free(pointer) }
}

/// A `STACK_OF(X509)` holding its own reference to each certificate, alive only inside `body`.
func withCertificateStack<R>(_ certificates: [Certificate], _ body: (OpaquePointer) throws -> R) throws -> R {
    guard let stack = vt_sk_X509_new() else {
        throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not allocate a certificate list.")
    }
    defer { vt_sk_X509_free_all(stack) }
    for certificate in certificates where vt_sk_X509_push_ref(stack, certificate.backing.pointer) != 1 {
        throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not build a certificate list.")
    }
    return try body(stack)
}

/// Copies the certificates of a stack into Swift values, taking a reference to each.
func certificates(in stack: OpaquePointer?) -> [Certificate] {
    guard let stack else { return [] }
    var result: [Certificate] = []
    for index in 0..<vt_sk_X509_num(stack) {
        guard let x509 = vt_sk_X509_value(stack, index), X509_up_ref(x509) == 1 else { continue }
        if let certificate = try? Certificate(backing: X509Backing(taking: x509)) { result.append(certificate) }
    }
    return result
}
