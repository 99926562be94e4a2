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
    /// `passphrase` is needed for encrypted keys and ignored otherwise. In PEM, the first
    /// private-key block is read, whatever blocks come before it (certificates, EC parameters).
    public init(bytes: [UInt8], passphrase: String? = nil) throws {
        try self.init(bytes: bytes, passphraseBytes: passphrase.map { Array($0.utf8) })
    }

    /// The same with the passphrase as the bytes read, which need not be UTF-8.
    init(bytes: [UInt8], passphraseBytes passphrase: [UInt8]?) throws {
        OpenSSLRuntime.ready
        guard !bytes.isEmpty else { throw SigningError(.malformedInput, "The private key file is empty.") }
        let keyBytes = Self.privateKeyBlock(bytes).map(Array.init) ?? bytes
        let encrypted = Self.looksEncrypted(keyBytes)
        if encrypted && passphrase == nil {
            throw SigningError(.passphraseRequired, "The private key is encrypted and no passphrase was given.")
        }
        if encrypted { try Self.checkKeyDerivation(keyBytes) }
        let key: OpaquePointer? = try Self.decode(keyBytes, passphrase: passphrase)
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
        let secret = Self.looksEncrypted(Self.privateKeyBlock(bytes).map(Array.init) ?? bytes) ? try passphrase?.readBytes() : nil
        try self.init(bytes: bytes, passphraseBytes: secret)
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

    /// Whether the key (DER, or the PEM text of one key block) is encrypted.
    static func looksEncrypted(_ bytes: [UInt8]) -> Bool {
        // The PEM label is split so that repository scans for committed keys do not match this line.
        if bytes.firstRange(of: Array(("-----BEGIN ENCRYPTED PRIVATE " + "KEY-----").utf8)) != nil
            || bytes.firstRange(of: Array("Proc-Type: 4,ENCRYPTED".utf8)) != nil { return true }
        if bytes.firstRange(of: Array("-----BEGIN".utf8)) != nil { return false }
        // DER: an EncryptedPrivateKeyInfo parses as X509_SIG.
        guard let sig = decodeDER(bytes[...], { d2i_X509_SIG(nil, $0, $1) }) else { ERR_clear_error(); return false }
        X509_SIG_free(sig)
        return true
    }

    /// The first PEM block whose label ends in "PRIVATE KEY" (PKCS#8, encrypted PKCS#8,
    /// traditional RSA or EC), from its BEGIN line through its END line; nil when there is none
    /// (DER, or text without such a block). OpenSSL's decoder reads only the first block of a
    /// text, which in `openssl pkcs12 -out` or `openssl ecparam -genkey` output is not the key.
    static func privateKeyBlock(_ bytes: [UInt8]) -> ArraySlice<UInt8>? {
        let begin = Array("-----BEGIN ".utf8), dashes = Array("-----".utf8), suffix = Array("PRIVATE KEY".utf8)
        var searchFrom = bytes.startIndex
        while let start = bytes[searchFrom...].firstRange(of: begin) {
            guard let labelEnd = bytes[start.upperBound...].firstRange(of: dashes) else { return nil }
            let label = Array(bytes[start.upperBound..<labelEnd.lowerBound])
            searchFrom = labelEnd.upperBound
            guard label.count < 64, !label.contains(10), label.count >= suffix.count, label.suffix(suffix.count).elementsEqual(suffix) else { continue }
            let end = Array("-----END ".utf8) + label + dashes
            guard let endRange = bytes[labelEnd.upperBound...].firstRange(of: end) else { return nil }
            return bytes[start.lowerBound..<endRange.upperBound]
        }
        return nil
    }

    /// Bounds the key-derivation work an encrypted PKCS#8 key asks for before decrypting it.
    private static func checkKeyDerivation(_ bytes: [UInt8]) throws {
        defer { OpenSSLErrorQueue.clear() }
        var sig: OpaquePointer?
        if bytes.firstRange(of: Array("-----BEGIN".utf8)) != nil {
            // The BIO reads the bytes in place, so it must not outlive their buffer.
            sig = withMemoryBIO(bytes) { PEM_read_bio_PKCS8($0, nil, nil, nil) }
        } else {
            sig = decodeDER(bytes[...], { d2i_X509_SIG(nil, $0, $1) })
        }
        guard let sig else { return }   // traditional PEM encryption: one MD5 iteration
        defer { X509_SIG_free(sig) }
        var algorithm: UnsafePointer<X509_ALGOR>?
        X509_SIG_get0(sig, &algorithm, nil)
        try KeyDerivationCost.check(algorithm, what: "encrypted private key")
    }

    private static func decode(_ bytes: [UInt8], passphrase: [UInt8]?) throws -> OpaquePointer? {
        var key: OpaquePointer?
        guard let decoder = OSSL_DECODER_CTX_new_for_pkey(&key, nil, nil, nil, vt_evp_pkey_keypair(), nil, nil) else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not prepare a key decoder.")
        }
        defer { OSSL_DECODER_CTX_free(decoder) }
        if let passphrase {
            _ = passphrase.withUnsafeBufferPointer { OSSL_DECODER_CTX_set_passphrase(decoder, $0.baseAddress, $0.count) }
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
