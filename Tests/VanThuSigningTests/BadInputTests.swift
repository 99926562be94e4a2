import Foundation
import Testing
@testable import VanThuSigning

/// Untrusted bytes: each yields FORMAT_FAILURE (or a SigningError with one clear sentence), never a crash or a hang.
@Suite struct BadInputTests {
    let pki = TestPKI.shared

    private func validSignature() throws -> (URL, [UInt8]) {
        let file = try temporaryDirectory("bad").appendingPathComponent("a.txt")
        try write("Thông báo", to: file)
        return (file, try CAdESSigner(identity: pki.identity("hung.nv")).signSynchronously(fileAt: file.path))
    }

    private func formatReason(_ signature: [UInt8], _ file: URL) throws -> String? {
        let report = try SignatureValidator(trustStore: pki.trustStore()).validateSynchronously(signature: signature, contentAt: file.path)
        #expect(report.indication == .totalFailed)
        #expect(report.subIndication == .formatFailure)
        return report.signatures.first?.checks.first { $0.id == "format" }?.reason
    }

    @Test func emptySignature() throws {
        let (file, _) = try validSignature()
        #expect(try formatReason([], file) == "The signature file is empty.")
    }

    @Test func truncatedSignatures() throws {
        let (file, signature) = try validSignature()
        for length in [1, 2, 10, 100, signature.count / 2, signature.count - 1] {
            #expect(try formatReason(Array(signature.prefix(length)), file) == "The data is not a CMS signature: it is truncated, corrupted or of another kind.")
        }
    }

    @Test func corruptedBytesNeverCrash() throws {
        let (file, signature) = try validSignature()
        let validator = SignatureValidator(trustStore: try pki.trustStore())
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var corrupted = signature
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                corrupted[Int.random(in: 0..<corrupted.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            let report = try validator.validateSynchronously(signature: corrupted, contentAt: file.path)
            #expect(!report.signatures.isEmpty)
        }
    }

    /// Bytes outside what is signed (the certificate bag, the SignerInfo version) may change
    /// harmlessly; any change to the signed attributes or the signature value must not pass.
    @Test func everyChangeToSignedBytesIsCaught() throws {
        let (file, signature) = try validSignature()
        let validator = SignatureValidator(trustStore: try pki.trustStore())
        let contentTypeOID: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03]
        let start = try #require(signature.firstRange(of: contentTypeOID)).lowerBound - 2 - 4
        #expect(signature[start] == 0xa0 && signature[start + 1] == 0x82)
        let length = Int(signature[start + 2]) << 8 | Int(signature[start + 3])
        let signedAttributes = start..<(start + 4 + length)
        let signatureValue = (signature.count - 384)..<signature.count
        for offset in Array(signedAttributes) + Array(signatureValue) {
            var changed = signature
            changed[offset] ^= 0x01
            let report = try validator.validateSynchronously(signature: changed, contentAt: file.path)
            #expect(report.indication == .totalFailed, "byte \(offset) changed and \(report.subIndication?.rawValue ?? "PASSED")")
        }
    }

    @Test func wrongOuterTag() throws {
        let (file, signature) = try validSignature()
        var wrong = signature
        wrong[0] = 0x31
        #expect(try formatReason(wrong, file) != nil)
    }

    @Test func absurdLength() throws {
        let (file, _) = try validSignature()
        let absurd: [UInt8] = [0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x06, 0x09] + [UInt8](repeating: 0x2a, count: 32)
        #expect(try formatReason(absurd, file) == "The data is not a CMS signature: it is truncated, corrupted or of another kind.")
    }

    @Test func randomBytes() throws {
        let (file, _) = try validSignature()
        for size in [1, 17, 1000, 65_536] {
            let random = (0..<size).map { _ in UInt8.random(in: 0...255) }
            #expect(try formatReason(random, file) != nil)
        }
    }

    @Test func trailingGarbage() throws {
        let (file, signature) = try validSignature()
        #expect(try formatReason(signature + [0, 0, 0], file) == "The signature has 3 unexpected bytes after its end.")
    }

    @Test func pemWithGarbage() throws {
        let (file, _) = try validSignature()
        let garbage = Array("-----BEGIN CMS-----\nnot base64 at all!!\n-----END CMS-----\n".utf8)
        #expect(try formatReason(garbage, file) == "The PEM text is not a readable CMS signature.")
        #expect(throws: SigningError.self) { try Certificate(pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") }
        do {
            _ = try Certificate(pem: "-----BEGIN CERTIFICATE-----\nMIIB!!garbage\n-----END CERTIFICATE-----\n")
        } catch let error as SigningError {
            #expect(error.code == .malformedInput)
            #expect(error.message == "A PEM certificate block is damaged and cannot be read.")
        }
    }

    @Test func certificateInsteadOfSignature() throws {
        let (file, _) = try validSignature()
        let certificate = try Certificate.load(contentsOf: pki.cert("hung.nv"))[0]
        #expect(try formatReason(certificate.der, file) == "The file holds an X.509 certificate, not a CMS signature.")
        #expect(try formatReason(Array(certificate.pem.utf8), file) == "The file holds a PEM certificate, not a CMS signature.")
    }

    @Test func signedDataWithoutSignerOrOfAnotherType() throws {
        let dir = try temporaryDirectory("types")
        let file = dir.appendingPathComponent("a.txt")
        try write("x", to: file)
        let certsOnly = dir.appendingPathComponent("certs.p7b")
        try openssl(["crl2pkcs7", "-nocrl", "-certfile", pki.cert("hung.nv"), "-outform", "DER", "-out", certsOnly.path])
        #expect(try formatReason(bytes(certsOnly), file) == "The CMS SignedData has no signer.")
        let data = dir.appendingPathComponent("data.cms")
        try openssl(["cms", "-data_create", "-binary", "-in", file.path, "-outform", "DER", "-out", data.path])
        #expect(try formatReason(bytes(data), file) == "The CMS structure is not SignedData, so it holds no signature.")
    }

    @Test func badCertificatesAndKeys() throws {
        let cases: [([UInt8], String)] = [
            ([], "The certificate is empty."),
            ([0x30, 0x03, 0x02, 0x01], "The data is not a DER-encoded X.509 certificate."),
            (Array(repeating: 0xff, count: 40), "The data is not a DER-encoded X.509 certificate."),
        ]
        for (input, message) in cases {
            #expect(throws: SigningError(.malformedInput, message)) { try Certificate(der: input) }
        }
        #expect(throws: SigningError(.malformedInput, "The private key file is empty.")) { try PrivateKey(bytes: []) }
        #expect(throws: SigningError(.malformedInput, "The data is not a private key in PEM or DER form.")) {
            // "QUJD" is "ABC": a PEM frame around bytes that are no key (label split for key scanners).
            try PrivateKey(bytes: Array(("-----BEGIN PRIVATE " + "KEY-----\nQUJD\n-----END PRIVATE " + "KEY-----\n").utf8))
        }
    }

    @Test func pkcs12Problems() throws {
        do {
            _ = try SigningIdentity(pkcs12File: pki.p12("hung.nv"), passphrase: .literal("sai mật khẩu"))
            Issue.record("a wrong passphrase opened the PKCS#12")
        } catch let error as SigningError {
            #expect(error.code == .wrongPassphrase)
            #expect(error.message == "The passphrase does not open the PKCS#12 file.")
        }
        #expect(throws: SigningError(.passphraseRequired, "The PKCS#12 file is protected and no passphrase was given.")) {
            try SigningIdentity(pkcs12File: pki.p12("hung.nv"), passphrase: nil)
        }
        #expect(throws: SigningError(.malformedInput, "The data is not a PKCS#12 (.p12/.pfx) file.")) {
            try SigningIdentity(pkcs12: Array(repeating: 0x30, count: 64), passphrase: "x")
        }
        #expect(throws: SigningError(.malformedInput, "The PKCS#12 file is empty.")) {
            try SigningIdentity(pkcs12: [], passphrase: "x")
        }
    }

    @Test func unreadableContentIsAnErrorNotAReport() throws {
        let (_, signature) = try validSignature()
        #expect(throws: SigningError(.unreadableFile, "The file /nonexistent/x.pdf cannot be opened.")) {
            try SignatureValidator(trustStore: pki.trustStore()).validateSynchronously(signature: signature, contentAt: "/nonexistent/x.pdf")
        }
    }

    @Test func trustPathWithoutAnchors() throws {
        let dir = try temporaryDirectory("emptytrust")
        #expect(throws: SigningError(.noTrustAnchors, "No trust anchor certificate was found in \(dir.path).")) {
            try TrustStore.load(trustPath: dir.path)
        }
    }
}
