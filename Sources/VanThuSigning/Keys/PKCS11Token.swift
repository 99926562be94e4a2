import COpenSSL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Signing keys on PKCS#11 tokens: the USB tokens Vietnamese CAs issue to directors, smart cards
/// and HSMs. The key never leaves the token; OpenSSL asks the token to sign, through libp11's
/// engine (Debian's libengine-pkcs11-openssl) over a PKCS#11 module.
public enum PKCS11Token {
    /// p11-kit's proxy, which reaches every module registered on the machine (OpenSC for smart
    /// cards, a CA's own token driver). `VANTHU_PKCS11_MODULE` or an explicit path overrides it.
    public static let defaultModule = "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so"

    /// The module to use: the one given, else `VANTHU_PKCS11_MODULE`, else p11-kit's proxy.
    public static func module(_ given: String?) -> String {
        given ?? ProcessInfo.processInfo.environment["VANTHU_PKCS11_MODULE"] ?? defaultModule
    }

    /// One engine per module for the life of the process; the lock also serialises logins,
    /// since libp11 keeps the PIN in the engine.
    private static let lock = Lock()
    nonisolated(unsafe) private static var engines: [String: OpaquePointer] = [:]

    static func withEngine<R>(module: String, _ body: (OpaquePointer) throws -> R) throws -> R {
        OpenSSLRuntime.ready
        return try lock.withLock {
            if let engine = engines[module] { return try body(engine) }
            guard FileManager.default.fileExists(atPath: module) else {
                throw SigningError(.tokenUnavailable, "The PKCS#11 module \(module) does not exist: install the token's driver or give its path.")
            }
            guard let engine = vt_pkcs11_engine(module) else {
                throw OpenSSLErrorQueue.error(.tokenUnavailable,
                                              "The PKCS#11 module \(module) cannot be loaded through OpenSSL's pkcs11 engine (libengine-pkcs11-openssl).")
            }
            engines[module] = engine
            return try body(engine)
        }
    }

    /// `pkcs11:` URIs only (RFC 7512); the attributes are left to libp11.
    static func checkURI(_ uri: String) throws {
        guard uri.hasPrefix("pkcs11:"), uri.count > "pkcs11:".count else {
            throw SigningError(.malformedInput, "A token key is named by a PKCS#11 URI, e.g. pkcs11:token=VNPT-CA;object=ky-so;type=private.")
        }
        guard !uri.utf8.contains(0) else { throw SigningError(.malformedInput, "The PKCS#11 URI contains a NUL character.") }
    }

    /// The same URI naming the certificate object (`type=cert`) instead of the private key.
    static func certificateURI(_ uri: String) -> String {
        let path = uri.dropFirst("pkcs11:".count).split(separator: "?", maxSplits: 1)[0]
        let attributes = path.split(separator: ";").filter { !$0.hasPrefix("type=") && !$0.hasPrefix("pin-") }
        return "pkcs11:" + (attributes + ["type=cert"]).joined(separator: ";")
    }

    /// Loads the private key at `uri`, logging in with the PIN when one is given.
    static func privateKey(uri: String, module: String, pin: String?) throws -> PrivateKey {
        try checkURI(uri)
        return try withEngine(module: module) { engine in
            ERR_clear_error()
            guard let key = vt_pkcs11_private_key(engine, uri, pin) else { throw loadFailure(uri: uri) }
            return try PrivateKey(backing: PrivateKeyBacking(taking: key))
        }
    }

    /// The certificate stored on the token next to the key at `uri`.
    static func certificate(uri: String, module: String) throws -> Certificate {
        let certificateURI = certificateURI(uri)
        return try withEngine(module: module) { engine in
            ERR_clear_error()
            guard let x509 = vt_pkcs11_certificate(engine, certificateURI) else {
                throw OpenSSLErrorQueue.error(.tokenKeyNotFound,
                                              "No certificate on the token matches \(certificateURI): give the certificate with --cert.")
            }
            return try Certificate(backing: X509Backing(taking: x509))
        }
    }

    /// One sentence for what went wrong, from the PKCS#11 return value libp11 puts on the queue.
    private static func loadFailure(uri: String) -> SigningError {
        let entries = OpenSSLErrorQueue.drainEntries()
        let reasons = entries.map { Int($0.code & 0x7F_FFFF) }
        let messages = entries.map(\.message)
        // CKR_PIN_INCORRECT 0xA0, CKR_PIN_INVALID 0xA1, CKR_PIN_LEN_RANGE 0xA2, CKR_PIN_LOCKED 0xA4,
        // CKR_USER_NOT_LOGGED_IN 0x101.
        if reasons.contains(0xA4) {
            return SigningError(.wrongPassphrase, "The token's PIN is locked: unlock it with the token's own tool.", details: messages)
        }
        if reasons.contains(where: { [0xA0, 0xA1, 0xA2].contains($0) }) {
            return SigningError(.wrongPassphrase, "The token does not accept the PIN.", details: messages)
        }
        if reasons.contains(0x101) {
            return SigningError(.passphraseRequired, "The token needs its PIN and none was given.", details: messages)
        }
        return SigningError(.tokenKeyNotFound, "No private key on a token matches \(uri).", details: messages)
    }
}

extension SigningIdentity {
    /// A key on a PKCS#11 token. The certificate comes from `certificateFile` (which may hold the
    /// chain) or, without it, from the token itself; `chainFile` adds intermediates to embed.
    /// `pin` is read once, only here.
    public init(pkcs11URI uri: String, module: String? = nil, certificateFile: String? = nil, chainFile: String? = nil,
                pin: PassphraseSource?) throws {
        let module = PKCS11Token.module(module)
        try PKCS11Token.checkURI(uri)
        // Fail on a missing certificate file before asking for the PIN.
        let certificates = try certificateFile.map { try Certificate.load(contentsOf: $0) }
        let chain = try chainFile.map { try Certificate.load(contentsOf: $0) } ?? []
        let key = try PKCS11Token.privateKey(uri: uri, module: module, pin: try pin?.read())
        let certificate = try certificates?.first ?? PKCS11Token.certificate(uri: uri, module: module)
        try self.init(privateKey: key, certificate: certificate, chain: Array((certificates ?? []).dropFirst()) + chain)
    }
}
