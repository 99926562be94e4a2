import COpenSSL

/// A CMS SignedData parsed from untrusted bytes, or the sentence saying why it is not one.
enum CMSParsing {
    struct Parsed {
        let signedData: SignedData
        /// The embedded X.509 certificates, parsed (from the trust store's cache when known).
        let embedded: [Certificate]
    }

    /// Parses a signature. `certificate` returns the parsed certificate for a DER encoding, from a
    /// cache, so that embedded certificates are not decoded again for every signature.
    ///
    /// DER SignedData is read by `SignedData.decode`. Anything else (PEM, BER such as
    /// `openssl cms -stream` writes, or a structure that walk does not accept) is decoded by
    /// OpenSSL, which gives the reason when it is no signature at all, and re-encoded by it as
    /// DER for the walk to read its fields; its signature values are then verified by OpenSSL on
    /// the bytes as received (`SignedData.receivedAsNonDER`).
    static func parse(_ bytes: [UInt8], certificate: (ArraySlice<UInt8>) -> Certificate?) -> Result<Parsed, FormatProblem> {
        OpenSSLRuntime.ready
        guard !bytes.isEmpty else { return .failure(FormatProblem("The signature file is empty.")) }
        let signedData: SignedData
        if let direct = SignedData.decode(bytes) {
            signedData = direct
        } else {
            switch normalisedByOpenSSL(bytes) {
            case .failure(let problem): return .failure(problem)
            case .success(let der):
                guard var decoded = SignedData.decode(der, encodedByOpenSSL: true) else {
                    return .failure(FormatProblem("The CMS SignedData has a structure VanThu does not read (RFC 5652 §5 expected)."))
                }
                decoded.receivedAsNonDER = bytes
                signedData = decoded
            }
        }
        // RFC 5652 §5.1: digestAlgorithms lists the signers' digest algorithms. OpenSSL hashes the
        // content with those it lists and refuses a signer whose algorithm is missing; so does VanThu.
        for signer in signedData.signers where !signer.digestAlgorithmListed {
            return .failure(FormatProblem("The signer's digest algorithm \(SignerEvaluation.digestName(signer.digestAlgorithm.nid)) is not listed in the SignedData's digestAlgorithms (RFC 5652 §5.1)."))
        }
        var embedded: [Certificate] = []
        embedded.reserveCapacity(signedData.certificates.count)
        for der in signedData.certificates {
            guard let parsed = certificate(der) else {
                return .failure(FormatProblem("A certificate embedded in the signature is corrupted."))
            }
            embedded.append(parsed)
        }
        return .success(Parsed(signedData: signedData, embedded: embedded))
    }

    static func isPEM(_ bytes: [UInt8]) -> Bool { bytes.starts(with: Array("-----BEGIN".utf8)) }

    /// OpenSSL's parse of a PEM or DER/BER CMS structure, and how many bytes it used (DER/BER).
    static func parsedByOpenSSL(_ bytes: [UInt8]) -> (cms: OpaquePointer?, consumed: Int) {
        if isPEM(bytes) {
            return (withMemoryBIO(bytes) { PEM_read_bio_CMS($0, nil, vt_passphrase_cb(), nil) }, bytes.count)
        }
        var consumed = 0
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            let result = d2i_CMS_ContentInfo(nil, &cursor, buffer.count)
            if let cursor, let base = buffer.baseAddress { consumed = cursor - base }
            return result
        }
        return (parsed, consumed)
    }

    /// OpenSSL's reading of a signature that is not plain DER, re-encoded as DER.
    private static func normalisedByOpenSSL(_ bytes: [UInt8]) -> Result<[UInt8], FormatProblem> {
        defer { OpenSSLErrorQueue.clear() }
        let isPEM = isPEM(bytes)
        let (parsed, consumed) = parsedByOpenSSL(bytes)
        if let parsed, consumed != bytes.count {
            CMS_ContentInfo_free(parsed)
            return .failure(FormatProblem("The signature has \(bytes.count - consumed) unexpected bytes after its end."))
        }
        guard let parsed else {
            if !isPEM, (try? Certificate(der: bytes)) != nil {
                return .failure(FormatProblem("The file holds an X.509 certificate, not a CMS signature."))
            }
            if isPEM, String(decoding: bytes.prefix(64), as: UTF8.self).contains("CERTIFICATE") {
                return .failure(FormatProblem("The file holds a PEM certificate, not a CMS signature."))
            }
            return .failure(FormatProblem(isPEM
                ? "The PEM text is not a readable CMS signature."
                : "The data is not a CMS signature: it is truncated, corrupted or of another kind."))
        }
        let cms = CMSBacking(taking: parsed)
        guard OBJ_obj2nid(CMS_get0_type(parsed)) == NID_pkcs7_signed else {
            return .failure(FormatProblem("The CMS structure is not SignedData, so it holds no signature."))
        }
        guard vt_sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(parsed)) > 0 else {
            return .failure(FormatProblem("The CMS SignedData has no signer."))
        }
        guard let der = encodeDER({ i2d_CMS_ContentInfo(cms.pointer, $0) }) else {
            return .failure(FormatProblem("The CMS SignedData cannot be re-encoded as DER."))
        }
        return .success(der)
    }

    /// NIDs of the digest algorithms the signers used, to hash the content once for each.
    static func digestNIDs(of signedData: SignedData) -> [Int32] {
        var nids: [Int32] = []
        for signer in signedData.signers where !nids.contains(signer.digestAlgorithm.nid) { nids.append(signer.digestAlgorithm.nid) }
        return nids
    }

    /// OpenSSL's NID for an OBJECT IDENTIFIER element (NID_undef when unknown).
    static func nid(ofObjectIdentifier oid: ArraySlice<UInt8>) -> Int32 {
        if let known = commonNIDs.first(where: { DER.same($0.0, oid) }) { return known.1 }
        guard let object = decodeDER(oid, { d2i_ASN1_OBJECT(nil, $0, $1) }) else { OpenSSLErrorQueue.clear(); return NID_undef }
        defer { ASN1_OBJECT_free(object) }
        return OBJ_obj2nid(object)
    }

    /// The algorithms of nearly every signature, looked up without allocating: SHA-256/384/512,
    /// rsaEncryption, sha256/384/512WithRSAEncryption, ecdsa-with-SHA256/384/512.
    private static let commonNIDs: [([UInt8], Int32)] = {
        let nistHash: [UInt8] = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02]
        let pkcs1: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01]
        let ecdsa: [UInt8] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03]
        return [(nistHash + [0x01], NID_sha256), (nistHash + [0x02], NID_sha384), (nistHash + [0x03], NID_sha512),
                (pkcs1 + [0x01], NID_rsaEncryption), (pkcs1 + [0x0b], NID_sha256WithRSAEncryption),
                (pkcs1 + [0x0c], NID_sha384WithRSAEncryption), (pkcs1 + [0x0d], NID_sha512WithRSAEncryption),
                (ecdsa + [0x02], NID_ecdsa_with_SHA256), (ecdsa + [0x03], NID_ecdsa_with_SHA384),
                (ecdsa + [0x04], NID_ecdsa_with_SHA512)]
    }()
}

struct FormatProblem: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
