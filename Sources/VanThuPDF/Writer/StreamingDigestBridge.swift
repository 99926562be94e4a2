import VanThuSigning

/// The signing core's digest, used for ByteRange digests and the file /ID seed.
enum StreamingDigestBridge {
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        StreamingDigest.hash(bytes, algorithm: .sha256)
    }
}
