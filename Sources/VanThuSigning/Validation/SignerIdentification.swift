import COpenSSL

/// Finds the certificate a SignerInfo's identifier designates, as OpenSSL's
/// `CMS_set1_signers_certs` does: the first candidate whose issuer name and serial number (or
/// subject key identifier) match. Names are compared byte for byte first, which is what a
/// signer that copied its certificate's issuer produces; only when no candidate matches that way
/// are they compared in OpenSSL's canonical form (`X509_NAME_cmp`), which ignores case and
/// spacing differences and costs a parse of the name.
enum SignerIdentification {
    static func certificate(for identifier: SignedData.SignerIdentifier, among candidates: [Certificate]) -> Certificate? {
        switch identifier {
        case .subjectKeyIdentifier(let keyIdentifier):
            return candidates.first { candidate in
                guard let own = X509_get0_subject_key_id(candidate.backing.pointer),
                      let data = ASN1_STRING_get0_data(own) else { return false }
                return UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(own))).elementsEqual(keyIdentifier)
            }
        case .issuerAndSerialNumber(let issuer, let serialNumber):
            if let exact = candidates.first(where: { $0.serialNumberDER.elementsEqual(serialNumber) && issuerDER($0, equals: issuer) }) {
                return exact
            }
            return canonicalMatch(issuer: issuer, serialNumber: serialNumber, among: candidates)
        }
    }

    private static func issuerDER(_ certificate: Certificate, equals issuer: ArraySlice<UInt8>) -> Bool {
        var bytes: UnsafePointer<UInt8>?
        var length = 0
        guard X509_NAME_get0_der(X509_get_issuer_name(certificate.backing.pointer), &bytes, &length) == 1,
              let bytes else { return false }
        return UnsafeBufferPointer(start: bytes, count: length).elementsEqual(issuer)
    }

    private static func canonicalMatch(issuer: ArraySlice<UInt8>, serialNumber: ArraySlice<UInt8>,
                                       among candidates: [Certificate]) -> Certificate? {
        defer { OpenSSLErrorQueue.clear() }
        guard let name = decodeDER(issuer, { d2i_X509_NAME(nil, $0, $1) }) else { return nil }
        defer { X509_NAME_free(name) }
        guard let serial = decodeDER(serialNumber, { d2i_ASN1_INTEGER(nil, $0, $1) }) else { return nil }
        defer { ASN1_INTEGER_free(serial) }
        return candidates.first { candidate in
            let x509 = candidate.backing.pointer
            return ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(x509)) == 0 && X509_NAME_cmp(name, X509_get_issuer_name(x509)) == 0
        }
    }
}
