/// The one error type of VanThuSigning: a stable `code` for programs and one
/// clear sentence for people. OpenSSL's own diagnostics, when there are any,
/// are kept apart in `details` so the sentence stays readable.
public struct SigningError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A file could not be read.
        public static let unreadableFile = Code(rawValue: "unreadable-file")
        /// Bytes that should be a certificate, key, CRL, PKCS#12 or signature are not.
        public static let malformedInput = Code(rawValue: "malformed-input")
        /// An encrypted key or PKCS#12 file was given no passphrase.
        public static let passphraseRequired = Code(rawValue: "passphrase-required")
        /// The passphrase does not open the key or PKCS#12 file.
        public static let wrongPassphrase = Code(rawValue: "wrong-passphrase")
        /// A passphrase source (`pass:`, `env:`, `file:`, `fd:`, `stdin`) could not be used.
        public static let passphraseSource = Code(rawValue: "passphrase-source")
        /// The private key does not belong to the certificate.
        public static let keyMismatch = Code(rawValue: "key-mismatch")
        /// A key type, size or algorithm VanThu does not sign with.
        public static let unsupportedAlgorithm = Code(rawValue: "unsupported-algorithm")
        /// A message digest has the wrong length for its algorithm.
        public static let invalidDigest = Code(rawValue: "invalid-digest")
        /// No trust anchor could be loaded from the given path.
        public static let noTrustAnchors = Code(rawValue: "no-trust-anchors")
        /// The PKCS#11 module or OpenSSL's pkcs11 engine cannot be loaded.
        public static let tokenUnavailable = Code(rawValue: "token-unavailable")
        /// No key (or certificate) on a token matches the PKCS#11 URI.
        public static let tokenKeyNotFound = Code(rawValue: "token-key-not-found")
        /// OpenSSL failed where it should not have (out of memory, internal error).
        public static let cryptoFailure = Code(rawValue: "crypto-failure")
    }

    public let code: Code
    public let message: String
    /// OpenSSL's error queue at the time of failure, for logs and debugging.
    public let details: [String]

    public init(_ code: Code, _ message: String, details: [String] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { message }

    /// Two errors are the same when code and sentence are; OpenSSL's details vary by version.
    public static func == (lhs: SigningError, rhs: SigningError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }
}
