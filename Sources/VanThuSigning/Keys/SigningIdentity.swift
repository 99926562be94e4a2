import COpenSSL

/// What a signer signs with: a private key, its certificate, and the chain to embed.
public struct SigningIdentity: Sendable {
    public let certificate: Certificate
    /// Intermediate certificates embedded next to the signer's; the root may be left out.
    public let chain: [Certificate]
    let privateKey: PrivateKey
    /// The DER templates its signatures are assembled from, made on first use.
    let signatureTemplates = SignatureTemplates()

    public var publicKey: PublicKeyDescription { privateKey.publicKey }

    public init(privateKey: PrivateKey, certificate: Certificate, chain: [Certificate] = []) throws {
        guard X509_check_private_key(certificate.backing.pointer, privateKey.backing.pointer) == 1 else {
            OpenSSLErrorQueue.clear()
            throw SigningError(.keyMismatch, "The private key does not belong to the certificate of \(certificate.subject.commonName ?? "\(certificate.subject)").")
        }
        self.privateKey = privateKey
        self.certificate = certificate
        self.chain = Self.issuerPath(of: certificate, among: chain)
    }

    /// The certificates to embed: every one of `candidates` that issues (by name and key
    /// identifier) the signer's certificate or another one embedded, each once, in the order
    /// found from the signer upwards. All issuers at each step are kept, not only the first, so
    /// a renewed intermediate (same name and key) listed after an expired one, alternatives and
    /// cross-certificates reach the verifier, which picks its path among them. Duplicates
    /// (OpenSSL refuses to embed a certificate twice), the signer's own certificate and
    /// certificates that issue nothing embedded (another person's in a .p12) are left out.
    static func issuerPath(of leaf: Certificate, among candidates: [Certificate]) -> [Certificate] {
        var seen: Set<[UInt8]> = [leaf.der]
        var remaining = candidates.filter { seen.insert($0.der).inserted }
        var selected = [leaf]
        var next = 0
        defer { OpenSSLErrorQueue.clear() }
        while next < selected.count, !remaining.isEmpty {
            let subject = selected[next]
            next += 1
            var kept: [Certificate] = []
            for candidate in remaining {
                if X509_check_issued(candidate.backing.pointer, subject.backing.pointer) == X509_V_OK {
                    selected.append(candidate)
                } else {
                    kept.append(candidate)
                }
            }
            remaining = kept
        }
        return Array(selected.dropFirst())
    }

    /// A key file and a certificate file (PEM or DER). The certificate file may hold the
    /// chain after the signer's certificate; `chainFile` adds more intermediates.
    public init(keyFile: String, certificateFile: String, chainFile: String? = nil,
                passphrase: PassphraseSource? = nil) throws {
        let key = try PrivateKey(contentsOf: keyFile, passphrase: passphrase)
        let certificates = try Certificate.load(contentsOf: certificateFile)
        let chain = try chainFile.map { try Certificate.load(contentsOf: $0) } ?? []
        try self.init(privateKey: key, certificate: certificates[0], chain: Array(certificates.dropFirst()) + chain)
    }

    /// A PKCS#12 file (.p12/.pfx) as Vietnamese CAs issue them: key, certificate and chain.
    public init(pkcs12 bytes: [UInt8], passphrase: String?) throws {
        try self.init(pkcs12: bytes, passphraseBytes: passphrase.map { Array($0.utf8) })
    }

    /// The same with the passphrase as the bytes read, which need not be UTF-8.
    init(pkcs12 bytes: [UInt8], passphraseBytes passphrase: [UInt8]?) throws {
        OpenSSLRuntime.ready
        guard !bytes.isEmpty else { throw SigningError(.malformedInput, "The PKCS#12 file is empty.") }
        guard let p12 = decodeDER(bytes[...], { d2i_PKCS12(nil, $0, $1) }) else {
            throw OpenSSLErrorQueue.error(.malformedInput, "The data is not a PKCS#12 (.p12/.pfx) file.")
        }
        defer { PKCS12_free(p12) }
        // Every key derivation the file asks for is bounded, alone and in all, before it is
        // done, and none is done twice: the MAC is checked here only, and each safe decrypted
        // once, into a copy that PKCS12_parse reads with a one-iteration MAC.
        var budget = KeyDerivationCost.Budget()
        let macCost = try Self.checkIterations(p12)
        let safes = try KeyDerivationCost.PKCS12Safes(p12)
        try budget.spend(KeyDerivationCost.saturatingSum(macCost, safes.cost))
        // An absent passphrase and an empty one are different passwords to PKCS#12 (no bytes,
        // or a BMPString holding only its terminator); tools write either, so both are tried.
        let given: [CChar]? = passphrase.map { $0.map { CChar(bitPattern: $0) } + [0] }
        let candidates: [[CChar]?] = (passphrase ?? []).isEmpty ? [nil, [0]] : [given]
        let hasMAC = PKCS12_mac_present(p12) == 1
        var secret: [CChar]? = candidates[0]
        if hasMAC {
            var opening: [CChar]?? = nil
            for (index, candidate) in candidates.enumerated() {
                if index > 0 { try budget.spend(macCost) }
                if Self.withOptionalCString(candidate, { PKCS12_verify_mac(p12, $0, Int32(candidate.map { $0.count - 1 } ?? 0)) }) == 1 {
                    opening = candidate
                    break
                }
            }
            guard let opening else {
                OpenSSLErrorQueue.clear()
                if passphrase == nil {
                    throw SigningError(.passphraseRequired, "The PKCS#12 file is protected and no passphrase was given.")
                }
                throw SigningError(.wrongPassphrase, "The passphrase does not open the PKCS#12 file.")
            }
            secret = opening
        }
        OpenSSLErrorQueue.clear()
        let failure = hasMAC
            ? "The PKCS#12 file cannot be decrypted or is damaged."
            : "The PKCS#12 file has no integrity MAC, and the passphrase does not decrypt it or it is damaged."
        // A file written without a MAC (`openssl pkcs12 -export -nomac`) has no integrity check
        // to pass; PKCS12_parse, which insists on one for a non-empty passphrase, gets it on the copy.
        guard let readable = try safes.readable(passphrase: secret, budget: &budget) else {
            throw OpenSSLErrorQueue.error(.malformedInput, failure)
        }
        defer { PKCS12_free(readable) }
        var key: OpaquePointer?
        var x509: OpaquePointer?
        var others: OpaquePointer?
        // PKCS12_parse tries no passphrase, then the empty one, by itself when given none.
        guard Self.withOptionalCString(secret, { PKCS12_parse(readable, $0, &key, &x509, &others) }) == 1 else {
            throw OpenSSLErrorQueue.error(.malformedInput, failure)
        }
        defer { if let others { vt_sk_X509_free_all(others) } }
        guard let key, let x509 else {
            if let key { EVP_PKEY_free(key) }
            if let x509 { X509_free(x509) }
            throw SigningError(.malformedInput, "The PKCS#12 file does not hold both a private key and its certificate.")
        }
        let keyBacking = PrivateKeyBacking(taking: key)
        let certificate = try Certificate(backing: X509Backing(taking: x509))
        try self.init(privateKey: PrivateKey(backing: keyBacking), certificate: certificate,
                      chain: certificates(in: others))
    }

    private static func withOptionalCString<R>(_ bytes: [CChar]?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let bytes else { return body(nil) }
        return bytes.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    /// The MAC's key-derivation count comes from the file: a hostile one could make opening it
    /// take hours, so counts far above what any tool writes (2,048 to 600,000) are refused.
    static let maximumIterations = KeyDerivationCost.maximumIterations

    /// The MAC's iteration count (0 without a MAC), refused beyond `maximumIterations`.
    private static func checkIterations(_ p12: OpaquePointer) throws -> Int {
        guard PKCS12_mac_present(p12) == 1 else { return 0 }
        var iterations: UnsafePointer<ASN1_INTEGER>?
        PKCS12_get0_mac(nil, nil, nil, &iterations, p12)
        // An absent count is 1 (RFC 7292).
        guard let iterations else { return 1 }
        let count = ASN1_INTEGER_get(iterations)
        guard count >= 0, count <= maximumIterations else {
            throw SigningError(.malformedInput, "The PKCS#12 file asks for \(count) key-derivation iterations, more than the \(maximumIterations) VanThu accepts.")
        }
        return count
    }

    public init(pkcs12File path: String, passphrase: PassphraseSource?) throws {
        let bytes = try readFile(path, what: "PKCS#12 file")
        try self.init(pkcs12: bytes, passphraseBytes: try passphrase?.readBytes())
    }
}
