import COpenSSL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// RSA signature padding. ECDSA keys ignore it.
public enum RSASignaturePadding: String, Sendable, Codable, CaseIterable {
    case pkcs1v15 = "PKCS1-v1_5"
    case pss = "PSS"
}

/// Makes detached CMS SignedData at the CAdES-B-B level: signed attributes contentType,
/// messageDigest, signingTime (unless `includeSigningTime` is false, as for PAdES) and ESS
/// signing-certificate-v2; the signer's certificate and its chain embedded.
public struct CAdESSigner: Sendable {
    public let identity: SigningIdentity
    public var digestAlgorithm: DigestAlgorithm
    public var rsaPadding: RSASignaturePadding
    /// False for PAdES baseline signatures, whose claimed signing time is the PDF's /M entry
    /// (ETSI EN 319 142-1 forbids the CMS signingTime attribute there).
    public var includeSigningTime: Bool

    public init(identity: SigningIdentity, digestAlgorithm: DigestAlgorithm = .sha256,
                rsaPadding: RSASignaturePadding = .pkcs1v15, includeSigningTime: Bool = true) {
        self.identity = identity
        self.digestAlgorithm = digestAlgorithm
        self.rsaPadding = rsaPadding
        self.includeSigningTime = includeSigningTime
    }

    /// Signs a file, hashing it as a stream on a background thread.
    public func sign(fileAt path: String, signingTime: Date = Date()) async throws -> [UInt8] {
        try await BlockingWork.run { try self.signSynchronously(fileAt: path, signingTime: signingTime) }
    }

    /// Blocking form of `sign(fileAt:signingTime:)`, for callers already off the cooperative pool.
    public func signSynchronously(fileAt path: String, signingTime: Date = Date()) throws -> [UInt8] {
        let digest = try StreamingDigest.hash(fileAt: path, algorithm: digestAlgorithm)
        return try sign(messageDigest: digest, digestAlgorithm: digestAlgorithm, signingTime: signingTime)
    }

    /// Signs content given as chunks, e.g. the two /ByteRange pieces of a PDF.
    public func sign<Chunks: AsyncSequence>(contentChunks: Chunks, signingTime: Date = Date()) async throws -> [UInt8]
    where Chunks.Element == [UInt8] {
        let algorithm = digestAlgorithm
        let hasher = ChunkHasher(nids: [algorithm.nid])
        try await hasher.consume(contentChunks)
        guard let value = hasher.finalize()[algorithm.nid] else {
            throw SigningError(.cryptoFailure, "OpenSSL has no \(algorithm.rawValue) implementation.")
        }
        return try await BlockingWork.run { try self.sign(messageDigest: value, digestAlgorithm: algorithm, signingTime: signingTime) }
    }

    /// `sign(messageDigest:digestAlgorithm:signingTime:)` on a background thread.
    public func signInBackground(messageDigest: [UInt8], digestAlgorithm: DigestAlgorithm? = nil,
                                 signingTime: Date = Date()) async throws -> [UInt8] {
        try await BlockingWork.run { try self.sign(messageDigest: messageDigest, digestAlgorithm: digestAlgorithm, signingTime: signingTime) }
    }

    /// Signs a digest the caller computed (PAdES hashes the PDF's /ByteRange itself).
    /// The result is DER CMS SignedData with the same attributes as for a file. Blocking:
    /// it performs the private-key operation, so call it off the cooperative pool or use `offload`.
    public func sign(messageDigest: [UInt8], digestAlgorithm: DigestAlgorithm? = nil,
                     signingTime: Date = Date()) throws -> [UInt8] {
        let algorithm = digestAlgorithm ?? self.digestAlgorithm
        guard messageDigest.count == algorithm.byteCount else {
            throw SigningError(.invalidDigest, "A \(algorithm.rawValue) digest has \(algorithm.byteCount) bytes, not \(messageDigest.count).")
        }
        OpenSSLRuntime.ready
        OpenSSLErrorQueue.clear()
        let padding = effectivePadding
        if identity.publicKey.algorithm == .rsaPSS { try Self.checkPSSRestrictions(of: identity.privateKey.backing.pointer, algorithm: algorithm) }
        let configuration = SignatureTemplate.Configuration(digest: algorithm, padding: padding, includeSigningTime: includeSigningTime)
        let template = identity.signatureTemplates.template(for: configuration) {
            // The prototype's digest and time are placeholders; only its layout is kept.
            let prototype = try? signWithCMS(messageDigest: [UInt8](repeating: 0, count: algorithm.byteCount),
                                             algorithm: algorithm, signingTime: Date(timeIntervalSince1970: 1_767_225_600))
            return prototype.flatMap { SignatureTemplate(prototype: $0, key: identity.privateKey.backing, configuration: configuration) }
        }
        let signature = if let template {
            try template.sign(messageDigest: messageDigest, signingTime: signingTime)
        } else {
            try signWithCMS(messageDigest: messageDigest, algorithm: algorithm, signingTime: signingTime)
        }
        // RSA-PSS has parameters that must match the padded value; one public-key operation
        // checks that what is written out verifies (an RSA verification costs a few microseconds).
        if padding == .pss { try checkSignatureValue(signature) }
        return signature
    }

    /// An RSA-PSS key (id-RSASSA-PSS) signs only with PSS padding, whatever was asked for.
    var effectivePadding: RSASignaturePadding {
        switch identity.publicKey.algorithm {
        case .rsaPSS: .pss
        case .rsa: rsaPadding
        default: .pkcs1v15
        }
    }

    /// An RSA-PSS key may be restricted to one hash (and MGF1 hash) and a minimum salt length,
    /// as `openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_pss_keygen_md:sha256` makes it.
    static func checkPSSRestrictions(of key: OpaquePointer, algorithm: DigestAlgorithm) throws {
        func name(_ parameter: String) -> String? {
            var buffer = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_utf8_string_param(key, parameter, &buffer, buffer.count, &length) == 1 else { return nil }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        defer { OpenSSLErrorQueue.clear() }
        for parameter in ["digest", "mgf1-digest"] {
            guard let restricted = name(parameter), !restricted.isEmpty else { continue }
            guard let md = algorithm.evpMD, EVP_MD_is_a(md, restricted) == 1 else {
                let shown = DigestAlgorithm.allCases.first { EVP_MD_is_a($0.evpMD, restricted) == 1 }?.rawValue ?? restricted
                throw SigningError(.unsupportedAlgorithm, "The RSA-PSS key may only sign with \(shown), not \(algorithm.rawValue): choose that digest.")
            }
        }
        var saltLength: Int32 = 0
        if EVP_PKEY_get_int_param(key, "saltlen", &saltLength) == 1, Int(saltLength) > algorithm.byteCount {
            throw SigningError(.unsupportedAlgorithm, "The RSA-PSS key requires a salt of at least \(saltLength) bytes, longer than the \(algorithm.byteCount) bytes VanThu uses with \(algorithm.rawValue).")
        }
    }

    /// Verifies the first SignerInfo of `signature` with the signer's certificate, as a verifier will.
    private func checkSignatureValue(_ signature: [UInt8]) throws {
        defer { OpenSSLErrorQueue.clear() }
        guard let parsed = decodeDER(signature[...], { d2i_CMS_ContentInfo(nil, $0, $1) }) else {
            throw SigningError(.cryptoFailure, "OpenSSL could not read back the signature it made.")
        }
        let cms = CMSBacking(taking: parsed)
        let verified = withExtendedLifetime(cms) { () -> Bool in
            let signers = CMS_get0_SignerInfos(cms.pointer)
            guard vt_sk_CMS_SignerInfo_num(signers) == 1, let info = vt_sk_CMS_SignerInfo_value(signers, 0) else { return false }
            CMS_SignerInfo_set1_signer_cert(info, identity.certificate.backing.pointer)
            return CMS_SignerInfo_verify(info) == 1
        }
        guard verified else {
            throw SigningError(.cryptoFailure, "The signature made does not verify with the signer's certificate, so it was not written.")
        }
    }

    /// The signature as OpenSSL's CMS code assembles it; what templates are made from.
    func signWithCMS(messageDigest: [UInt8], algorithm: DigestAlgorithm, signingTime: Date) throws -> [UInt8] {
        let cms = try Self.emptySignedData()
        try addSigner(to: cms, algorithm: algorithm, messageDigest: messageDigest, signingTime: signingTime)
        for certificate in identity.chain where CMS_add1_cert(cms.pointer, certificate.backing.pointer) != 1 {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not embed the certificate chain.")
        }
        guard let der = encodeDER({ i2d_CMS_ContentInfo(cms.pointer, $0) }) else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not encode the signature.")
        }
        return der
    }

    private static func emptySignedData() throws -> CMSBacking {
        let flags = UInt32(CMS_DETACHED | CMS_BINARY | CMS_PARTIAL)
        guard let cms = CMS_sign(nil, nil, nil, nil, flags) else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not create a CMS structure.")
        }
        return CMSBacking(taking: cms)
    }

    private func addSigner(to cms: CMSBacking, algorithm: DigestAlgorithm, messageDigest: [UInt8],
                           signingTime: Date) throws {
        // CMS_CADES adds ESS signing-certificate-v2; CMS_PARTIAL defers signing until the
        // messageDigest we computed ourselves is in place; CMS_KEY_PARAM exposes the key context for PSS.
        let pss = effectivePadding == .pss
        let flags = UInt32(CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP | CMS_CADES | (pss ? CMS_KEY_PARAM : 0))
        guard let signer = CMS_add1_signer(cms.pointer, identity.certificate.backing.pointer,
                                           identity.privateKey.backing.pointer, algorithm.evpMD, flags) else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not add the signer.")
        }
        if pss { try Self.switchToPSS(signer, algorithm: algorithm, keyType: identity.publicKey.algorithm) }
        guard CMS_signed_add1_attr_by_NID(signer, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                          UnsafeRawPointer(OBJ_nid2obj(NID_pkcs7_data)), -1) == 1 else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not add the contentType attribute.")
        }
        let added = messageDigest.withUnsafeBytes {
            CMS_signed_add1_attr_by_NID(signer, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
                                        $0.baseAddress, Int32($0.count))
        }
        guard added == 1 else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not add the messageDigest attribute.")
        }
        if includeSigningTime { try Self.addSigningTime(signingTime, to: signer) }
        guard CMS_SignerInfo_sign(signer) == 1 else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not compute the signature value.")
        }
        if !includeSigningTime { try resignWithoutSigningTime(signer, algorithm: algorithm, pss: pss) }
    }

    /// CMS_SignerInfo_sign always adds a signingTime attribute when there is none, and no flag
    /// stops it; PAdES forbids one. So it is removed and the signed attributes are signed again
    /// here: their DER SET OF (elements sorted, as DER and OpenSSL's encoder order them), with
    /// the same key, digest and padding.
    private func resignWithoutSigningTime(_ signer: OpaquePointer, algorithm: DigestAlgorithm, pss: Bool) throws {
        let location = CMS_signed_get_attr_by_NID(signer, NID_pkcs9_signingTime, -1)
        if location >= 0 { X509_ATTRIBUTE_free(CMS_signed_delete_attr(signer, location)) }
        var encodings: [[UInt8]] = []
        for index in 0..<CMS_signed_get_attr_count(signer) {
            guard let attribute = CMS_signed_get_attr(signer, index),
                  let der = encodeDER({ i2d_X509_ATTRIBUTE(attribute, $0) }) else {
                throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not encode the signed attributes.")
            }
            encodings.append(der)
        }
        let signedAttributes = DER.tlv(0x31, encodings.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 })
        guard let context = EVP_MD_CTX_new() else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not create a signing context.")
        }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        guard EVP_DigestSignInit(context, &keyContext, algorithm.evpMD, nil, identity.privateKey.backing.pointer) == 1 else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not start the signature.")
        }
        if pss {
            guard let keyContext, EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) > 0,
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) > 0,
                  EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, algorithm.evpMD) > 0 else {
                throw Self.pssRefused(algorithm: algorithm, keyType: identity.publicKey.algorithm)
            }
        }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, signedAttributes, signedAttributes.count) == 1 else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not compute the signature value.")
        }
        var value = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &value, &length, signedAttributes, signedAttributes.count) == 1,
              let signature = CMS_SignerInfo_get0_signature(signer),
              ASN1_STRING_set(signature, value, Int32(length)) == 1 else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not compute the signature value.")
        }
    }
}

extension CAdESSigner {
    fileprivate static func addSigningTime(_ signingTime: Date, to signer: OpaquePointer) throws {
        // UTCTime up to 2049 and GeneralizedTime after, as RFC 5652 requires.
        guard let time = ASN1_TIME_set(nil, signingTime.unixTime) else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not encode the signing time.")
        }
        defer { ASN1_TIME_free(time) }
        guard CMS_signed_add1_attr_by_NID(signer, NID_pkcs9_signingTime, ASN1_STRING_type(time), time, -1) == 1 else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not add the signingTime attribute.")
        }
    }

    /// An RSA-PSS key whose restrictions OpenSSL enforces (an MGF1 hash other than its hash, say
    /// MGF1 with SHA-1, OpenSSL's default) refuses VanThu's one form of PSS: say so, not that
    /// OpenSSL failed.
    fileprivate static func pssRefused(algorithm: DigestAlgorithm, keyType: PublicKeyDescription.Algorithm) -> SigningError {
        guard keyType == .rsaPSS else {
            return OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not switch the key to RSA-PSS.")
        }
        OpenSSLErrorQueue.clear()
        return SigningError(.unsupportedAlgorithm, "The RSA-PSS key's restrictions do not allow \(algorithm.rawValue) as both hash and MGF1 hash with a salt of \(algorithm.byteCount) bytes, the only form of PSS VanThu signs.")
    }

    /// With CMS_KEY_PARAM, OpenSSL 3.0 fills in the signatureAlgorithm only when it hashes the
    /// content itself (CMS_final), which a precomputed digest skips: so the RSASSA-PSS identifier
    /// (RFC 4055: hash and MGF1 with the message digest, salt of the digest's length) is set here.
    fileprivate static func switchToPSS(_ signer: OpaquePointer, algorithm: DigestAlgorithm, keyType: PublicKeyDescription.Algorithm) throws {
        guard let context = CMS_SignerInfo_get0_pkey_ctx(signer),
              EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING) > 0,
              EVP_PKEY_CTX_set_rsa_pss_saltlen(context, RSA_PSS_SALTLEN_DIGEST) > 0,
              EVP_PKEY_CTX_set_rsa_mgf1_md(context, algorithm.evpMD) > 0 else {
            throw pssRefused(algorithm: algorithm, keyType: keyType)
        }
        var signatureAlgorithm: UnsafeMutablePointer<X509_ALGOR>?
        CMS_SignerInfo_get0_algs(signer, nil, nil, nil, &signatureAlgorithm)
        let parameters = DER.pssParameters(algorithm)
        guard let signatureAlgorithm, let sequence = ASN1_STRING_new() else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not record the RSA-PSS parameters.")
        }
        guard parameters.withUnsafeBytes({ ASN1_STRING_set(sequence, $0.baseAddress, Int32($0.count)) }) == 1,
              X509_ALGOR_set0(signatureAlgorithm, OBJ_nid2obj(NID_rsassaPss), V_ASN1_SEQUENCE, sequence) == 1 else {
            ASN1_STRING_free(sequence)
            throw OpenSSLErrorQueue.error(.cryptoFailure, "OpenSSL could not record the RSA-PSS parameters.")
        }
    }
}

extension DigestAlgorithm {
    var evpMD: OpaquePointer? {
        switch self {
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        }
    }
}
