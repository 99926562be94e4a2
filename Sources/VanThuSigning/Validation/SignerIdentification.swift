import COpenSSL

/// Finds the certificates a SignerInfo's identifier designates, in the order OpenSSL's
/// `CMS_set1_signers_certs` tries them: the candidates whose issuer name and serial number (or
/// subject key identifier) match. Serial numbers are compared as DER (both sides are minimal
/// INTEGERs: `SignedData` requires it of the identifier, `i2d` gives it for certificates). Names
/// are compared byte for byte first, which is what a signer that copied its certificate's issuer
/// produces, and only when the bytes differ in OpenSSL's canonical form (`X509_NAME_cmp`, which
/// ignores case and spacing), for which the identifier's name is parsed once.
enum SignerIdentification {
    static func certificates(for identifier: SignedData.SignerIdentifier, among candidates: [Certificate]) -> [Certificate] {
        switch identifier {
        case .subjectKeyIdentifier(let keyIdentifier):
            return candidates.filter { candidate in
                guard let own = X509_get0_subject_key_id(candidate.backing.pointer),
                      let data = ASN1_STRING_get0_data(own) else { return false }
                return DER.same(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(own))), keyIdentifier)
            }
        case .issuerAndSerialNumber(let issuer, let serialNumber):
            var canonicalName: CanonicalName?
            defer { OpenSSLErrorQueue.clear() }
            return candidates.filter { candidate in
                guard DER.same(candidate.serialNumberDER, serialNumber) else { return false }
                if issuerDER(candidate, equals: issuer) { return true }
                if canonicalName == nil { canonicalName = CanonicalName(issuer) }
                return canonicalName?.matches(X509_get_issuer_name(candidate.backing.pointer)) ?? false
            }
        }
    }

    private static func issuerDER(_ certificate: Certificate, equals issuer: ArraySlice<UInt8>) -> Bool {
        var bytes: UnsafePointer<UInt8>?
        var length = 0
        guard X509_NAME_get0_der(X509_get_issuer_name(certificate.backing.pointer), &bytes, &length) == 1,
              let bytes else { return false }
        return DER.same(UnsafeBufferPointer(start: bytes, count: length), issuer)
    }

    /// The identifier's issuer name parsed by OpenSSL, for `X509_NAME_cmp`.
    private final class CanonicalName {
        let name: OpaquePointer?
        init(_ der: ArraySlice<UInt8>) { name = decodeDER(der) { d2i_X509_NAME(nil, $0, $1) } }
        deinit { if let name { X509_NAME_free(name) } }
        func matches(_ other: OpaquePointer?) -> Bool {
            guard let name, let other else { return false }
            return X509_NAME_cmp(name, other) == 0
        }
    }
}
