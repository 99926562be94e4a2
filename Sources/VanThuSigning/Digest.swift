import COpenSSL

/// Digest algorithms VanThu accepts for new signatures and file addressing.
public enum DigestAlgorithm: String, Sendable, Codable, CaseIterable {
    case sha256 = "SHA-256"
    case sha384 = "SHA-384"
    case sha512 = "SHA-512"

    public var evpName: String {
        switch self {
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        }
    }

    var nid: Int32 {
        switch self {
        case .sha256: NID_sha256
        case .sha384: NID_sha384
        case .sha512: NID_sha512
        }
    }

    public var byteCount: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }
}

/// An incremental message digest over OpenSSL's EVP interface.
///
/// Not thread-safe: one hasher belongs to one task at a time. It is a
/// non-copyable owner of an `EVP_MD_CTX`, freed on deinit.
public struct StreamingDigest: ~Copyable {
    private let context: OpaquePointer
    public let algorithm: DigestAlgorithm

    public init(_ algorithm: DigestAlgorithm = .sha256) {
        self.algorithm = algorithm
        guard let ctx = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        let md = FetchedDigest.md(nid: algorithm.nid)
        guard md != nil, EVP_DigestInit_ex2(ctx, md, nil) == 1 else {
            EVP_MD_CTX_free(ctx)
            fatalError("OpenSSL has no \(algorithm.rawValue) implementation")
        }
        self.context = ctx
    }

    deinit { EVP_MD_CTX_free(context) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            self.update(UnsafeRawBufferPointer(buffer))
        }
        if handled == nil {
            let array = Array(bytes)
            array.withUnsafeBytes { self.update($0) }
        }
    }

    public consuming func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        out.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return Array(out.prefix(Int(length)))
    }

    /// One-shot digest of a buffer held in memory.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes, algorithm: DigestAlgorithm = .sha256) -> [UInt8]
    where Bytes.Element == UInt8 {
        var digest = StreamingDigest(algorithm)
        digest.update(bytes)
        return digest.finalize()
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal form, as used for SHA-256 addresses and fingerprints.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
