@_spi(Fuzzing) import VanThuSigning

// A throwaway public anchor (its key was discarded): validation runs its full course,
// chain building included, on whatever certificates the input embeds.
let anchorPEM = """
-----BEGIN CERTIFICATE-----
MIIBqzCCAVGgAwIBAgIUH+kw6bVSxlNOQvN/bCOuXfHwVYkwCgYIKoZIzj0EAwIw
KjELMAkGA1UEBhMCVk4xGzAZBgNVBAMMElZhblRodSBGdXp6IEFuY2hvcjAgFw0y
NjExMjkwOTIyNTNaGA8yMTI2MTEwNTA5MjI1M1owKjELMAkGA1UEBhMCVk4xGzAZ
BgNVBAMMElZhblRodSBGdXp6IEFuY2hvcjBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABDJvzdAzI2KOwZJQfVCt0oKE96+ELi92WwySpHJ+iEWHqknL14YrGl7DxRcP
6GHO0nQWRwJhahe+Lntm4OSUR8SjUzBRMB0GA1UdDgQWBBQGT75ntLKAIf+00g3c
mdpwf58WsDAfBgNVHSMEGDAWgBQGT75ntLKAIf+00g3cmdpwf58WsDAPBgNVHRMB
Af8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQCiO5rDqNOCsZtC8hHhj0ZqH/e5
PGWK2zV2pGLsI9AP1AIgYW9qQfmJV5AD6/x8yII+1G0A+2PQwkW6EVllJ7wYvwE=
-----END CERTIFICATE-----
"""

let validator: SignatureValidator = {
    let anchor = try! Certificate(pem: anchorPEM)
    return SignatureValidator(trustStore: try! TrustStore(anchors: [anchor]), policy: .strict)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignatureParsing(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    SignedDataDifferential.check(bytes)
    let report = validator.validateSynchronously(signature: bytes, contentChunks: [Array("Văn bản".utf8)])
    // A report always names one signature at least, and never passes for an untrusted anchor.
    precondition(!report.signatures.isEmpty)
    precondition(report.indication != .totalPassed)
    return 0
}
