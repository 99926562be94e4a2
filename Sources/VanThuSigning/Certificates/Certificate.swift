import COpenSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An X.509 certificate: an immutable, Sendable value over OpenSSL's parsed form.
public struct Certificate: Sendable, Hashable, CustomStringConvertible {
    /// Key usage bits VanThu looks at (RFC 5280 §4.2.1.3).
    public struct KeyUsage: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let digitalSignature = KeyUsage(rawValue: UInt32(KU_DIGITAL_SIGNATURE))
        public static let nonRepudiation = KeyUsage(rawValue: UInt32(KU_NON_REPUDIATION))
        public static let keyEncipherment = KeyUsage(rawValue: UInt32(KU_KEY_ENCIPHERMENT))
        public static let keyCertSign = KeyUsage(rawValue: UInt32(KU_KEY_CERT_SIGN))
        public static let crlSign = KeyUsage(rawValue: UInt32(KU_CRL_SIGN))

        var names: [String] {
            [(Self.digitalSignature, "digitalSignature"), (.nonRepudiation, "nonRepudiation"),
             (.keyEncipherment, "keyEncipherment"), (.keyCertSign, "keyCertSign"), (.crlSign, "cRLSign")]
                .filter { contains($0.0) }.map(\.1)
        }
    }

    /// Everything about the certificate lives in one immutable object, so that copying the value
    /// (into candidate lists, chains, reports) is one reference count, not a dozen.
    final class Properties: Sendable {
        let backing: X509Backing
        let der: [UInt8]
        let subject: DistinguishedName
        let issuer: DistinguishedName
        let serialNumber: String
        /// The serialNumber INTEGER as encoded, whole, to find a CMS signer's certificate.
        let serialNumberDER: [UInt8]
        let notBefore: Date
        let notAfter: Date
        let sha256Fingerprint: String
        let fingerprint: CertificateFingerprint
        let keyUsage: KeyUsage?
        let isCertificateAuthority: Bool
        let publicKey: PublicKeyDescription
        let signatureAlgorithm: String
        let signatureDigest: String?

        init(backing: X509Backing, der: [UInt8], subject: DistinguishedName, issuer: DistinguishedName, serialNumber: String,
             serialNumberDER: [UInt8], notBefore: Date, notAfter: Date, sha256: [UInt8], keyUsage: KeyUsage?, isCertificateAuthority: Bool,
             publicKey: PublicKeyDescription, signatureAlgorithm: String, signatureDigest: String?) {
            self.backing = backing
            self.der = der
            self.subject = subject
            self.issuer = issuer
            self.serialNumber = serialNumber
            self.serialNumberDER = serialNumberDER
            self.notBefore = notBefore
            self.notAfter = notAfter
            self.sha256Fingerprint = sha256.hexString
            self.fingerprint = CertificateFingerprint(sha256)
            self.keyUsage = keyUsage
            self.isCertificateAuthority = isCertificateAuthority
            self.publicKey = publicKey
            self.signatureAlgorithm = signatureAlgorithm
            self.signatureDigest = signatureDigest
        }
    }

    private let properties: Properties

    var backing: X509Backing { properties.backing }
    var serialNumberDER: [UInt8] { properties.serialNumberDER }
    public var der: [UInt8] { properties.der }
    public var subject: DistinguishedName { properties.subject }
    public var issuer: DistinguishedName { properties.issuer }
    /// Upper-case hexadecimal serial number, as CAs print it.
    public var serialNumber: String { properties.serialNumber }
    public var notBefore: Date { properties.notBefore }
    public var notAfter: Date { properties.notAfter }
    /// Lower-case hexadecimal SHA-256 of the DER encoding.
    public var sha256Fingerprint: String { properties.sha256Fingerprint }
    /// The same SHA-256 as a cache key.
    var fingerprint: CertificateFingerprint { properties.fingerprint }
    /// The key usage extension, or nil when the certificate has none (then any usage is allowed).
    public var keyUsage: KeyUsage? { properties.keyUsage }
    public var isCertificateAuthority: Bool { properties.isCertificateAuthority }
    public var publicKey: PublicKeyDescription { properties.publicKey }
    /// OpenSSL's long name of the signature algorithm, e.g. `sha256WithRSAEncryption`.
    public var signatureAlgorithm: String { properties.signatureAlgorithm }
    /// Digest used by the issuer's signature, nil when the algorithm has none (Ed25519) or is unknown.
    public var signatureDigest: String? { properties.signatureDigest }

    /// Exactly one DER certificate: bytes after it are refused, not ignored.
    public init(der: [UInt8]) throws {
        let (certificate, consumed) = try Self.parseDER(der[...])
        guard consumed == der.count else {
            throw SigningError(.malformedInput, "The data holds \(der.count - consumed) bytes after the DER certificate.")
        }
        self = certificate
    }

    /// The DER certificate at the start of `der`, and how many bytes it takes.
    private static func parseDER(_ der: ArraySlice<UInt8>) throws -> (Certificate, Int) {
        OpenSSLRuntime.ready
        guard !der.isEmpty else { throw SigningError(.malformedInput, "The certificate is empty.") }
        let (parsed, consumed) = decodeDER(der) { cursor, length -> (OpaquePointer?, Int) in
            let start = cursor.pointee
            let parsed = d2i_X509(nil, cursor, length)
            return (parsed, parsed == nil ? 0 : (cursor.pointee.map { start!.distance(to: $0) } ?? 0))
        }
        guard let parsed else {
            throw OpenSSLErrorQueue.error(.malformedInput, "The data is not a DER-encoded X.509 certificate.")
        }
        return (try Certificate(backing: X509Backing(taking: parsed)), consumed)
    }

    public init(pem: String) throws {
        let all = try Self.parsePEM(Array(pem.utf8))
        guard let first = all.first else {
            throw SigningError(.malformedInput, "The text holds no PEM certificate.")
        }
        self = first
    }

    /// Every certificate in a PEM bundle, or the DER certificates of a DER file (one, or several
    /// concatenated); anything after the last DER certificate is refused.
    public static func parseAll(_ bytes: [UInt8]) throws -> [Certificate] {
        // DER always opens with a SEQUENCE tag; anything else is read as PEM text, which may
        // carry lines before its blocks (as `openssl pkcs12` output does).
        if bytes.first != 0x30 {
            let all = try parsePEM(bytes)
            guard !all.isEmpty else { throw SigningError(.malformedInput, "The text holds no PEM certificate.") }
            return all
        }
        var all: [Certificate] = []
        var offset = 0
        while offset < bytes.count {
            do {
                let (certificate, consumed) = try parseDER(bytes[offset...])
                all.append(certificate)
                offset += consumed
            } catch let error as SigningError where !all.isEmpty {
                throw SigningError(.malformedInput, "The \(bytes.count - offset) bytes after DER certificate \(all.count) are not a certificate.",
                                   details: error.details)
            }
        }
        return all
    }

    /// Every certificate in a PEM bundle or DER file on disk; an unusable file is named in the error.
    public static func load(contentsOf path: String) throws -> [Certificate] {
        let bytes = try readFile(path, what: "certificate file")
        do {
            return try parseAll(bytes)
        } catch let error as SigningError {
            throw error.naming("certificate file", path)
        }
    }

    /// What a person should read as the certificate's name: the subject's display name (the
    /// most specific non-empty CN, else O, else the whole subject), else the subjectAltName
    /// (RFC 5280 allows an empty subject with one), else the serial number. Never empty.
    public var displayName: String {
        if let name = subject.displayName { return name }
        if let alternative = subjectAlternativeNames, !alternative.isEmpty { return alternative }
        return Self.unnamed(serialNumber: serialNumber)
    }

    /// The display name of a certificate whose subject and subjectAltName name no one.
    static func unnamed(serialNumber: String) -> String { "(no name) serial \(serialNumber)" }

    /// The subjectAltName extension as OpenSSL prints it (`email:…, DNS:…`), nil without one.
    var subjectAlternativeNames: String? {
        let x509 = backing.pointer
        let index = X509_get_ext_by_NID(x509, NID_subject_alt_name, -1)
        guard index >= 0, let extensionPointer = X509_get_ext(x509, index) else { return nil }
        let printed = collectBIO { X509V3_EXT_print($0, extensionPointer, 0, 0) == 1 }
        OpenSSLErrorQueue.clear()
        return printed.map { String(decoding: $0, as: UTF8.self) }
    }

    private static func parsePEM(_ bytes: [UInt8]) throws -> [Certificate] {
        OpenSSLRuntime.ready
        return try withMemoryBIO(bytes) { bio in
            var result: [Certificate] = []
            while let x509 = PEM_read_bio_X509(bio, nil, vt_passphrase_cb(), nil) {
                result.append(try Certificate(backing: X509Backing(taking: x509)))
            }
            // The loop ends with "no start line" once the input is used up; anything else is a broken block.
            let last = ERR_peek_last_error()
            if last != 0 && !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE) {
                throw OpenSSLErrorQueue.error(.malformedInput, "A PEM certificate block is damaged and cannot be read.")
            }
            OpenSSLErrorQueue.clear()
            return result
        }
    }

    init(backing: X509Backing) throws {
        let x509 = backing.pointer
        guard let der = encodeDER({ i2d_X509(x509, $0) }) else {
            throw OpenSSLErrorQueue.error(.malformedInput, "The certificate cannot be re-encoded.")
        }
        guard let notBefore = Date(asn1Time: X509_get0_notBefore(x509)),
              let notAfter = Date(asn1Time: X509_get0_notAfter(x509)) else {
            throw OpenSSLErrorQueue.error(.malformedInput, "The certificate's validity dates cannot be read.")
        }
        // X509_get_key_usage also caches the extensions; a broken extension shows up as EXFLAG_INVALID.
        let usage = X509_get_key_usage(x509)
        if X509_get_extension_flags(x509) & UInt32(EXFLAG_INVALID) != 0 {
            throw OpenSSLErrorQueue.error(.malformedInput, "The certificate has a malformed extension.")
        }
        let nid = X509_get_signature_nid(x509)
        var digestNID: Int32 = 0
        var keyNID: Int32 = 0
        var signatureDigest: String?
        if X509_get_signature_info(x509, &digestNID, &keyNID, nil, nil) == 1, digestNID != NID_undef {
            signatureDigest = OBJ_nid2sn(digestNID).map { String(cString: $0) }
        }
        properties = Properties(
            backing: backing, der: der,
            subject: DistinguishedName(x509Name: X509_get_subject_name(x509)),
            issuer: DistinguishedName(x509Name: X509_get_issuer_name(x509)),
            serialNumber: Self.serialHex(X509_get0_serialNumber(x509)),
            serialNumberDER: encodeDER({ i2d_ASN1_INTEGER(X509_get0_serialNumber(x509), $0) }) ?? [],
            notBefore: notBefore, notAfter: notAfter,
            sha256: StreamingDigest.hash(der),
            keyUsage: usage == UInt32.max ? nil : KeyUsage(rawValue: usage),
            isCertificateAuthority: X509_check_ca(x509) != 0,
            publicKey: PublicKeyDescription(X509_get0_pubkey(x509)),
            signatureAlgorithm: OBJ_nid2ln(nid).map { String(cString: $0) } ?? "unknown",
            signatureDigest: signatureDigest)
        OpenSSLErrorQueue.clear()
    }

    private static func serialHex(_ serial: UnsafePointer<ASN1_INTEGER>?) -> String {
        guard let serial, let bignum = ASN1_INTEGER_to_BN(serial, nil) else { return "" }
        defer { BN_free(bignum) }
        guard let hex = BN_bn2hex(bignum) else { return "" }
        defer { vt_openssl_free(hex) }
        return String(cString: hex)
    }

    public var pem: String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n"
    }

    /// True when subject and issuer are the same name (a root or a cross-signed self-issued CA).
    public var isSelfIssued: Bool { X509_check_issued(backing.pointer, backing.pointer) == X509_V_OK }

    public func isValid(at date: Date) -> Bool { notBefore <= date && date <= notAfter }

    public var description: String { "\(subject) (serial \(serialNumber))" }

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool { lhs.properties === rhs.properties || lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }
}

/// The SHA-256 of a certificate's DER as four words: a key the caches hash and compare in a few
/// instructions, where the hexadecimal text costs a 64-character string hash each time.
struct CertificateFingerprint: Hashable, Sendable {
    let words: SIMD4<UInt64>

    init(_ sha256: [UInt8]) {
        precondition(sha256.count == 32, "a SHA-256 digest has 32 bytes")
        var words = SIMD4<UInt64>()
        sha256.withUnsafeBytes { bytes in
            for index in 0..<4 { words[index] = bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) }
        }
        self.words = words
    }
}

/// What a certificate's public key is, for reports and policy.
public struct PublicKeyDescription: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Algorithm: String, Sendable, Codable {
        case rsa = "RSA", rsaPSS = "RSA-PSS", ec = "EC", ed25519 = "Ed25519", ed448 = "Ed448", dsa = "DSA", other = "other"
    }
    public let algorithm: Algorithm
    public let bits: Int
    /// NIST name of the curve (`P-256`, `P-384`, `P-521`) or OpenSSL's name for others.
    public let curve: String?

    init(_ key: OpaquePointer?) {
        guard let key else { algorithm = .other; bits = 0; curve = nil; return }
        bits = Int(EVP_PKEY_get_bits(key))
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA: algorithm = .rsa; curve = nil
        case EVP_PKEY_RSA_PSS: algorithm = .rsaPSS; curve = nil
        case EVP_PKEY_EC:
            algorithm = .ec
            var buffer = [CChar](repeating: 0, count: 64)
            var length = 0
            if EVP_PKEY_get_utf8_string_param(key, "group", &buffer, buffer.count, &length) == 1 {
                let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                curve = ["prime256v1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"][name] ?? name
            } else {
                curve = nil
            }
        case EVP_PKEY_ED25519: algorithm = .ed25519; curve = nil
        case EVP_PKEY_ED448: algorithm = .ed448; curve = nil
        case EVP_PKEY_DSA: algorithm = .dsa; curve = nil
        default: algorithm = .other; curve = nil
        }
    }

    public var description: String {
        switch algorithm {
        case .ec: "EC \(curve ?? "unknown curve")"
        case .rsa, .rsaPSS, .dsa: "\(algorithm.rawValue)-\(bits)"
        default: algorithm.rawValue
        }
    }
}

/// Reads a whole small file (certificate, key, CRL, signature), refusing absurd sizes.
func readFile(_ path: String, what: String, limit: Int = 32 << 20) throws -> [UInt8] {
    let tooLarge = SigningError(.malformedInput, "The \(what) \(path) is larger than \(limit >> 20) MiB, which no \(what) is.")
    var bytes: [UInt8] = []
    var status = stat()
    if stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG {
        guard Int(status.st_size) <= limit else { throw tooLarge }
        bytes.reserveCapacity(Int(status.st_size))
    }
    try readFileInChunks(path, what: what) { chunk in
        guard bytes.count + chunk.count <= limit else { throw tooLarge }
        bytes += chunk
    }
    return bytes
}

/// What a path names, by `stat` (symbolic links followed); nil when nothing is there.
enum FileKind {
    /// `file` is a regular file; `other` a FIFO, a device or a socket.
    case directory, file, other

    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: self = .directory
        case S_IFREG: self = .file
        default: self = .other
        }
    }
}

extension SigningError {
    /// The same error with its sentence saying which file it is about, for files given on the
    /// command line (`--untrusted`, `--crl`, trust files, `cert show`), several of which may be
    /// given at once. Errors that already name the file (it cannot be read, it is too large)
    /// are kept as they are.
    func naming(_ what: String, _ path: String) -> SigningError {
        guard code == .malformedInput, !message.contains(path) else { return self }
        let sentence = message.prefix(1).lowercased() + message.dropFirst()
        return SigningError(code, "The \(what) \(path) cannot be used: \(sentence)", details: details)
    }
}
