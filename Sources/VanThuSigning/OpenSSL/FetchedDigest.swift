import COpenSSL
import Synchronization

/// Digest implementations fetched from the provider once per process: an implicit fetch on every
/// use takes OpenSSL 3.0's provider locks and name lookups each time, a cost that shows at
/// thousands of validations a second. Fetched EVP_MD objects are immutable and shareable.
final class FetchedDigest: @unchecked Sendable {
    let pointer: OpaquePointer
    private init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_MD_free(pointer) }

    private static let byNID = Mutex<[Int32: FetchedDigest]>([:])

    static func md(nid: Int32) -> OpaquePointer? {
        if let known = byNID.withLock({ $0[nid] }) { return known.pointer }
        OpenSSLRuntime.ready
        guard let name = OBJ_nid2sn(nid), let md = EVP_MD_fetch(nil, name, nil) else { ERR_clear_error(); return nil }
        let fetched = FetchedDigest(md)
        let kept = byNID.withLock { table -> FetchedDigest in
            if let raced = table[nid] { return raced }
            table[nid] = fetched
            return fetched
        }
        return kept.pointer
    }
}

/// An EVP digest of any algorithm OpenSSL knows, for checking signatures made by others
/// (whose digest may be outside `DigestAlgorithm`, e.g. SHA-1, so policy can judge it).
final class AnyDigest {
    private let context: OpaquePointer
    init?(nid: Int32) {
        guard let md = FetchedDigest.md(nid: nid), let context = EVP_MD_CTX_new() else { return nil }
        guard EVP_DigestInit_ex2(context, md, nil) == 1 else { EVP_MD_CTX_free(context); ERR_clear_error(); return nil }
        self.context = context
    }
    deinit { EVP_MD_CTX_free(context) }
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }
    func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return Array(out.prefix(Int(length)))
    }
}
