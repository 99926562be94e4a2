import Foundation
import Testing
@testable import VanThuSigning

/// Our signatures against OpenSSL's own verifier, and OpenSSL's signatures against ours.
@Suite struct InteropTests {
    let pki = TestPKI.shared

    private func document() throws -> (URL, URL) {
        let dir = try temporaryDirectory("interop")
        let file = dir.appendingPathComponent("quyet-dinh.txt")
        try write("Quyết định về việc công nhận trường đạt chuẩn quốc gia — Trường THCS Trần Mai Ninh\n", to: file)
        return (file, dir)
    }

    @Test(arguments: ["hung.nv", "ec256", "ec384"])
    func opensslVerifiesWhatVanThuSignMakes(signer: String) throws {
        let (file, dir) = try document()
        let signature = dir.appendingPathComponent("quyet-dinh.txt.p7s")
        let result = try runVanThu(signer.contains(".")
            ? ["sign", file.path, "--p12", pki.p12(signer), "--passphrase", "env:P12_PASS"]
            : ["sign", file.path, "--key", pki.fixtureKey(signer), "--cert", pki.fixtureCert(signer), "--chain", pki.issuingCA],
            environment: ["P12_PASS": TestPKI.passphrase])
        #expect(result.status == 0, "\(result.stderr)")
        let verified = try runProcess("/usr/bin/openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", signature.path,
                                                           "-content", file.path, "-CAfile", pki.rootCertificate, "-out", "/dev/null"])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stderr.contains("Verification successful"))
        // And a changed document fails OpenSSL's check too: the interop test can fail.
        try write("changed", to: file)
        let rejected = try runProcess("/usr/bin/openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", signature.path,
                                                           "-content", file.path, "-CAfile", pki.rootCertificate, "-out", "/dev/null"])
        #expect(rejected.status != 0)
    }

    @Test(arguments: [false, true])
    func vanthuVerifiesOpenSSLSignatures(cades: Bool) throws {
        let (file, dir) = try document()
        let signature = dir.appendingPathComponent("openssl.p7s")
        try openssl(["cms", "-sign", "-binary", "-md", "sha256", "-in", file.path, "-signer", pki.cert("nam.hv"),
                     "-inkey", pki.key("nam.hv"), "-certfile", pki.issuingCA, "-outform", "DER", "-out", signature.path]
                    + (cades ? ["-cades"] : []))
        let report = try SignatureValidator(trustStore: pki.trustStore(), policy: .strict)
            .validateSynchronously(signature: bytes(signature), contentAt: file.path)
        #expect(report.indication == .totalPassed, "\(report.text)")
        let single = try #require(report.signatures.first)
        #expect(single.format == (cades ? .cades : .cms))
        #expect(single.checks.first { $0.id == "signing-certificate-reference" }?.result == (cades ? .passed : .warning))
        let cli = try runVanThu(["verify", file.path, "--signature", signature.path, "--trust", pki.trustDirectory])
        #expect(cli.status == 0, "\(cli.output)\(cli.stderr)")
    }

    @Test func opensslPEMSignatureIsAccepted() throws {
        let (file, dir) = try document()
        let signature = dir.appendingPathComponent("openssl.pem")
        try openssl(["cms", "-sign", "-binary", "-md", "sha384", "-in", file.path, "-signer", pki.cert("lan.tt"),
                     "-inkey", pki.key("lan.tt"), "-certfile", pki.issuingCA, "-outform", "PEM", "-out", signature.path])
        let report = try SignatureValidator(trustStore: pki.trustStore())
            .validateSynchronously(signature: bytes(signature), contentAt: file.path)
        #expect(report.indication == .totalPassed)
        #expect(report.signatures.first?.digestAlgorithm == "SHA-384")
    }

    /// `-stream` makes BER with indefinite lengths, which the DER reader leaves to OpenSSL to re-encode.
    @Test func berIndefiniteLengthSignatureIsAccepted() throws {
        let (file, dir) = try document()
        let signature = dir.appendingPathComponent("stream.p7s")
        try openssl(["cms", "-sign", "-binary", "-stream", "-md", "sha256", "-in", file.path, "-signer", pki.cert("hoa.vt"),
                     "-inkey", pki.key("hoa.vt"), "-certfile", pki.issuingCA, "-outform", "DER", "-out", signature.path])
        let ber = try bytes(signature)
        #expect(ber[1] == 0x80, "expected an indefinite length")
        #expect(SignedData.decode(ber) == nil)
        let report = try SignatureValidator(trustStore: pki.trustStore()).validateSynchronously(signature: ber, contentAt: file.path)
        #expect(report.indication == .totalPassed, "\(report.text)")
    }

    /// Government CA shape: RSA-3072, Vietnamese UTF-8 subjects, only the signer's certificate embedded.
    @Test func governmentCAShapedSignatureNeedsSuppliedIntermediates() throws {
        let (file, dir) = try document()
        let signature = dir.appendingPathComponent("gov.p7s")
        try openssl(["cms", "-sign", "-binary", "-md", "sha256", "-cades", "-in", file.path, "-signer", pki.cert("thang.bd"),
                     "-inkey", pki.key("thang.bd"), "-outform", "DER", "-out", signature.path])
        let alone = try runVanThu(["verify", file.path, "--signature", signature.path, "--trust", pki.trustDirectory, "--json"])
        #expect(alone.status == 2)
        let report = try ValidationReport.decode(json: alone.stdout)
        #expect(report.subIndication == .noCertificateChainFound)
        #expect(report.signatures.first?.signer?.commonName == "Bùi Đức Thắng")
        #expect(report.signatures.first?.signer?.publicKey == "RSA-3072")
        let supplied = try runVanThu(["verify", file.path, "--signature", signature.path, "--trust", pki.trustDirectory,
                                      "--untrusted", pki.issuingCA])
        #expect(supplied.status == 0, "\(supplied.output)")
        #expect(supplied.output.contains("Signer: Bùi Đức Thắng"))
        #expect(supplied.output.contains("O=Trường THCS Trần Mai Ninh"))
    }
}
