import VanThuSigning

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCertificateParsing(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    if let certificates = try? Certificate.parseAll(bytes) {
        for certificate in certificates {
            // Every parsed certificate re-parses from its own DER to the same value.
            precondition((try? Certificate(der: certificate.der)) == certificate)
            _ = certificate.subject.description
            _ = certificate.isSelfIssued
        }
    }
    _ = try? CertificateRevocationList.parseAll(bytes)
    _ = try? PrivateKey(bytes: bytes)
    return 0
}
