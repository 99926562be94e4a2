import COpenSSL

/// A CMS SignedData parsed from untrusted bytes, or the sentence saying why it is not one.
enum CMSParsing {
    struct Parsed {
        let cms: CMSBacking
        /// The embedded certificates when they were parsed apart from the CMS (see
        /// `CertificateBagSplitting`); nil when OpenSSL holds them inside `cms`.
        let embedded: [Certificate]?
        /// For each SignerInfo, the content of its signed attributes as they appear in the DER
        /// OpenSSL parsed (nil for PEM, BER, or a signer without them), to verify the signature over.
        var signedAttributes: [ArraySlice<UInt8>?] = []

        func signedAttributes(of index: Int) -> ArraySlice<UInt8>? {
            index < signedAttributes.count ? signedAttributes[index] : nil
        }
    }

    /// Parses a signature. `certificate` returns the parsed certificate for a DER encoding, from a
    /// cache, so that embedded certificates are not decoded again for every signature.
    static func parse(_ bytes: [UInt8], certificate: ((ArraySlice<UInt8>) -> Certificate?)? = nil) -> Result<Parsed, FormatProblem> {
        OpenSSLRuntime.ready
        defer { OpenSSLErrorQueue.clear() }
        guard !bytes.isEmpty else { return .failure(FormatProblem("The signature file is empty.")) }
        if let certificate, let split = CertificateBagSplitting.split(bytes) {
            let embedded = split.certificates.compactMap(certificate)
            if embedded.count == split.certificates.count, case .success(let cms) = parseWhole(split.signedDataWithoutCertificates) {
                return .success(Parsed(cms: cms, embedded: embedded,
                                       signedAttributes: signedAttributeContents(split.signedDataWithoutCertificates, cms)))
            }
        }
        return parseWhole(bytes).map { Parsed(cms: $0, embedded: nil, signedAttributes: signedAttributeContents(bytes, $0)) }
    }

    /// The signed attributes of each SignerInfo in DER SignedData: [0] IMPLICIT after version, sid
    /// and digestAlgorithm. Empty when the walk disagrees with OpenSSL's parse in any way.
    static func signedAttributeContents(_ der: [UInt8], _ cms: CMSBacking) -> [ArraySlice<UInt8>?] {
        guard let contentInfo = DER.element(der, at: 0, end: der.count), contentInfo.tag == 0x30, contentInfo.end == der.count,
              let outer = DER.children(der, of: contentInfo.value), outer.count == 2, outer[1].tag == 0xa0,
              let explicit = DER.children(der, of: outer[1].value), explicit.count == 1, explicit[0].tag == 0x30,
              let fields = DER.children(der, of: explicit[0].value), let signerInfos = fields.last, signerInfos.tag == 0x31,
              let signers = DER.children(der, of: signerInfos.value),
              signers.count == Int(vt_sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms.pointer))) else { return [] }
        return signers.map { signer -> ArraySlice<UInt8>? in
            guard signer.tag == 0x30, let parts = DER.children(der, of: signer.value), parts.count >= 5,
                  parts[3].tag == 0xa0, let attributes = DER.children(der, of: parts[3].value) else { return nil }
            // Only a DER SET OF (elements in ascending order) is verified as it stands; anything
            // else is left to CMS_SignerInfo_verify, which verifies OpenSSL's re-encoding, as before.
            for (earlier, later) in zip(attributes, attributes.dropFirst())
            where !der[earlier.whole].lexicographicallyPrecedes(der[later.whole]) { return nil }
            return der[parts[3].value]
        }
    }

    private static func parseWhole(_ bytes: [UInt8]) -> Result<CMSBacking, FormatProblem> {
        let isPEM = bytes.starts(with: Array("-----BEGIN".utf8))
        let parsed: OpaquePointer?
        if isPEM {
            parsed = withMemoryBIO(bytes) { PEM_read_bio_CMS($0, nil, vt_passphrase_cb(), nil) }
        } else {
            var consumed = 0
            parsed = bytes.withUnsafeBufferPointer { buffer in
                var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
                let result = d2i_CMS_ContentInfo(nil, &cursor, buffer.count)
                if let cursor, let base = buffer.baseAddress { consumed = cursor - base }
                return result
            }
            if let parsed, consumed != bytes.count {
                CMS_ContentInfo_free(parsed)
                return .failure(FormatProblem("The signature has \(bytes.count - consumed) unexpected bytes after its end."))
            }
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
        return .success(cms)
    }

    /// NIDs of the digest algorithms the signers used, to hash the content once for each.
    static func digestNIDs(of cms: CMSBacking) -> Set<Int32> {
        var result: Set<Int32> = []
        forEachSigner(cms) { signer, _ in result.insert(digestNID(signer)) }
        return result
    }

    static func forEachSigner(_ cms: CMSBacking, _ body: (OpaquePointer, Int) -> Void) {
        let signers = CMS_get0_SignerInfos(cms.pointer)
        for index in 0..<vt_sk_CMS_SignerInfo_num(signers) {
            if let signer = vt_sk_CMS_SignerInfo_value(signers, index) { body(signer, Int(index)) }
        }
    }

    static func digestNID(_ signer: OpaquePointer) -> Int32 {
        var digest: UnsafeMutablePointer<X509_ALGOR>?
        CMS_SignerInfo_get0_algs(signer, nil, nil, &digest, nil)
        var object: OpaquePointer?
        X509_ALGOR_get0(&object, nil, nil, digest)
        return OBJ_obj2nid(object)
    }
}

struct FormatProblem: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
