import COpenSSL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Trust anchors, known intermediates and CRLs, parsed once and shared by every validation.
/// It caches what is safe to cache: verified paths (for the same signer and candidate
/// certificates, while no certificate it could choose from enters or leaves its validity) and
/// CRL signature checks.
public struct TrustStore: Sendable {
    public var anchors: [Certificate] { storage.anchors }
    public var intermediates: [Certificate] { storage.intermediates }
    public var crls: [CertificateRevocationList] { storage.crls }

    let storage: Storage

    public init(anchors: [Certificate], intermediates: [Certificate] = [], crls: [CertificateRevocationList] = []) throws {
        guard !anchors.isEmpty else { throw SigningError(.noTrustAnchors, "No trust anchor was given.") }
        storage = try Storage(anchors: anchors, intermediates: intermediates, crls: crls)
    }

    /// Anchors (and CRLs) from a directory of PEM/DER files or from one PEM bundle; extra
    /// intermediates and CRLs from files.
    public static func load(trustPath: String, untrustedFiles: [String] = [], crlFiles: [String] = []) throws -> TrustStore {
        guard let kind = FileKind(path: trustPath) else {
            throw SigningError(.unreadableFile, "The trust path \(trustPath) does not exist.")
        }
        guard kind != .other else {
            throw SigningError(.unreadableFile, "The trust path \(trustPath) is neither a directory nor a regular file.")
        }
        var anchors: [Certificate] = []
        var crls: [CertificateRevocationList] = []
        let files: [String]
        if kind == .directory {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: trustPath)) ?? []
            files = names.sorted().filter { !$0.hasPrefix(".") }.map { "\(trustPath)/\($0)" }
        } else {
            files = [trustPath]
        }
        for file in files {
            // Only regular files are read: a subdirectory, a FIFO or a socket left in the
            // directory is skipped, not waited on and not a reason to refuse the whole store.
            guard FileKind(path: file) == .file else { continue }
            let bytes = try readFile(file, what: "trust file", limit: 256 << 20)
            // The whole file is searched: `openssl crl -text` output, or a bundle of anchors
            // followed by CRLs, puts blocks far from the start.
            do {
                if contains(bytes, "-----BEGIN CERTIFICATE-----") {
                    anchors += try Certificate.parseAll(bytes)
                }
                if contains(bytes, "-----BEGIN X509 CRL-----") {
                    crls += try CertificateRevocationList.parseAll(bytes)
                }
            } catch let error as SigningError {
                throw error.naming("trust file", file)
            }
            if !contains(bytes, "-----BEGIN") {
                if bytes.first == 0x30, let certificates = try? Certificate.parseAll(bytes) {
                    anchors += certificates
                } else if let crl = try? CertificateRevocationList(der: bytes) {
                    crls.append(crl)
                } else if kind != .directory {
                    throw SigningError(.malformedInput, "The trust file \(file) holds neither certificates nor CRLs.")
                }
            }
        }
        guard !anchors.isEmpty else {
            throw SigningError(.noTrustAnchors, "No trust anchor certificate was found in \(trustPath).")
        }
        let intermediates = try untrustedFiles.flatMap { try Certificate.load(contentsOf: $0) }
        crls += try crlFiles.flatMap { try CertificateRevocationList.load(contentsOf: $0) }
        return try TrustStore(anchors: anchors, intermediates: intermediates, crls: crls)
    }

    private static func contains(_ bytes: [UInt8], _ marker: String) -> Bool {
        bytes.firstRange(of: Array(marker.utf8)) != nil
    }

    final class Storage: @unchecked Sendable {
        let anchors: [Certificate]
        let anchorFingerprints: Set<CertificateFingerprint>
        let intermediates: [Certificate]
        let crls: [CertificateRevocationList]
        /// The X509_STORE is set up once here and only read afterwards (OpenSSL locks its lookups).
        let store: OpaquePointer
        private let verifiedChains = Mutex<[ChainKey: KeptChain]>([:])
        /// The notBefore and notAfter of every anchor and known intermediate: when one is
        /// crossed, path building may choose differently.
        let storeInstants: [Date]
        private let crlSignatures = Mutex<[String: Bool]>([:])
        private let issuerCRLs = Mutex<[CertificateFingerprint: [CertificateRevocationList]]>([:])
        private let parsedCertificates = Mutex<[DERKey: Certificate]>([:])
        /// The certificates met most recently, newest first, compared byte for byte before the
        /// dictionary is consulted: the same few signers and CAs come back signature after
        /// signature, and comparing 1–2 KB is cheaper than hashing them.
        private let recentCertificates = Mutex<[Certificate]>([])
        private static let recentLimit = 8
        private let signingCertificateReferences = Mutex<[SigningCertificateReferenceKey: Bool]>([:])
        let verificationContexts = Mutex<[VerificationContextKey: VerificationContext?]>([:])
        /// Each cache is emptied when it reaches this many entries, which bounds memory (a parsed
        /// certificate costs about 10 KiB) while holding a province's signers and their CAs.
        static let cacheLimit = 20_000

        init(anchors: [Certificate], intermediates: [Certificate], crls: [CertificateRevocationList]) throws {
            OpenSSLRuntime.ready
            guard let store = X509_STORE_new() else {
                throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not create a certificate store.")
            }
            for anchor in anchors where X509_STORE_add_cert(store, anchor.backing.pointer) != 1 {
                // A duplicate anchor is harmless; anything else is not.
                let code = ERR_peek_last_error()
                if ERR_GET_REASON(code) != X509_R_CERT_ALREADY_IN_HASH_TABLE {
                    X509_STORE_free(store)
                    throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not add a trust anchor.")
                }
                OpenSSLErrorQueue.clear()
            }
            self.store = store
            self.anchors = anchors
            anchorFingerprints = Set(anchors.map(\.fingerprint))
            self.intermediates = intermediates
            self.crls = crls
            storeInstants = (anchors + intermediates).flatMap { [$0.notBefore, $0.notAfter] }
        }

        deinit { X509_STORE_free(store) }

        func cachedChain(for key: ChainKey) -> KeptChain? {
            verifiedChains.withLock { $0[key] }
        }

        func rememberChain(_ chain: KeptChain, for key: ChainKey) {
            verifiedChains.withLock {
                if $0.count >= Self.cacheLimit { $0.removeAll(keepingCapacity: true) }
                $0[key] = chain
            }
        }

        /// The certificate for a DER encoding, parsed once.
        func certificate(der: ArraySlice<UInt8>) -> Certificate? {
            let key = DERKey(der)
            if let recent = recentCertificates.withLock({ list in list.first { DERKey($0.der) == key } }) { return recent }
            let found: Certificate
            // Looked up through a slice of the signature, copied only when it is new: a kept
            // slice would keep the whole signature alive.
            if let known = parsedCertificates.withLock({ $0[key] }) {
                found = known
            } else {
                let bytes = Array(der)
                guard let parsed = try? Certificate(der: bytes) else { OpenSSLErrorQueue.clear(); return nil }
                parsedCertificates.withLock {
                    if $0.count >= Self.cacheLimit { $0.removeAll(keepingCapacity: true) }
                    $0[DERKey(bytes)] = parsed
                }
                found = parsed
            }
            recentCertificates.withLock { list in
                list.insert(found, at: 0)
                if list.count > Self.recentLimit { list.removeLast() }
            }
            return found
        }

        /// Whether the ESS signing-certificate attributes (v2 and v1, their DER) designate
        /// `certificate`: the same attributes come back in every signature of the same signer.
        func signingCertificateReference(v2: ArraySlice<UInt8>?, v1: ArraySlice<UInt8>?, matches certificate: Certificate,
                                         check: () -> Bool) -> Bool {
            let key = SigningCertificateReferenceKey(certificate: certificate.fingerprint, v2: v2.map(DERKey.init), v1: v1.map(DERKey.init))
            if let known = signingCertificateReferences.withLock({ $0[key] }) { return known }
            let result = check()
            signingCertificateReferences.withLock {
                if $0.count >= Self.cacheLimit { $0.removeAll(keepingCapacity: true) }
                $0[key.detached] = result
            }
            return result
        }

        /// The store's CRLs that `issuer` signed and that may be used at all (none with a
        /// critical extension VanThu does not process), newest first. The store's CRLs never
        /// change and a CRL's signature does not depend on the time, so the list is made once
        /// per issuer; the caller judges scope, nextUpdate and entries for its certificate and time.
        func crls(signedBy issuer: Certificate) -> [CertificateRevocationList] {
            if let known = issuerCRLs.withLock({ $0[issuer.fingerprint] }) { return known }
            let usable = crls.filter { $0.issuer == issuer.subject && !$0.hasUnhandledCriticalExtension && crl($0, isSignedBy: issuer) }
                .sorted { CertificateRevocationList.isNewer($0, than: $1) }
            issuerCRLs.withLock {
                if $0.count >= Self.cacheLimit { $0.removeAll(keepingCapacity: true) }
                $0[issuer.fingerprint] = usable
            }
            return usable
        }

        func crl(_ crl: CertificateRevocationList, isSignedBy issuer: Certificate) -> Bool {
            let key = crl.sha256Fingerprint + issuer.sha256Fingerprint
            if let known = crlSignatures.withLock({ $0[key] }) { return known }
            let valid = crl.isSigned(by: issuer)
            crlSignatures.withLock {
                if $0.count >= Self.cacheLimit { $0.removeAll(keepingCapacity: true) }
                $0[key] = valid
            }
            return valid
        }
    }
}

/// A dictionary key over DER bytes, hashed in one pass over the whole buffer: Swift hashes an
/// array element by element, which is slow, and hashing only part of the bytes lets crafted
/// certificates collide and turn the cache into a quadratic-time trap (the fuzzer found that).
struct DERKey: Hashable, Sendable {
    let bytes: ArraySlice<UInt8>
    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }
    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (lhs: DERKey, rhs: DERKey) -> Bool { DER.same(lhs.bytes, rhs.bytes) }
}

/// A certificate and the ESS attributes of a signature, looked up through slices of the
/// signature and kept as copies of their own.
struct SigningCertificateReferenceKey: Hashable {
    let certificate: CertificateFingerprint
    let v2: DERKey?
    let v1: DERKey?

    /// The key holding its own bytes: a kept slice would keep the whole signature alive.
    var detached: Self {
        Self(certificate: certificate, v2: v2.map { DERKey(Array($0.bytes)) }, v1: v1.map { DERKey(Array($0.bytes)) })
    }
}
