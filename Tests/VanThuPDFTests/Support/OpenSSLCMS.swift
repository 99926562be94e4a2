import Foundation
import VanThuPDF
import VanThuSigning

/// Signs the exact ByteRange bytes with `openssl cms -sign -cades` (for tests only;
/// VanThuSigning's signer replaces it in the product).
struct OpenSSLCLIProducer: PDFSignatureProducer {
    var certificate: URL
    var key: URL
    var chain: URL

    init(pki: TestPKI, seal: Bool = false) {
        certificate = seal ? pki.sealCertificate : pki.signerCertificate
        key = seal ? pki.sealKey : pki.signerKey
        chain = pki.caCertificate
    }

    /// The n-th of three distinct certificates: approver, deputy, organisation seal.
    init(pki: TestPKI, index: Int) {
        let pairs = [(pki.signerCertificate, pki.signerKey), (pki.deputyCertificate, pki.deputyKey), (pki.sealCertificate, pki.sealKey)]
        (certificate, key) = pairs[index % 3]
        chain = pki.caCertificate
    }

    func signDetached(messageDigest: [UInt8], digestAlgorithm: DigestAlgorithm, signingTime: Date,
                      content: PDFSignedContent) async throws -> [UInt8] {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = directory.file("content.bin")
        _ = FileManager.default.createFile(atPath: input.path, contents: nil)
        let handle = try FileHandle(forWritingTo: input)
        var hasher = StreamingDigest(digestAlgorithm)
        try content.forEachChunk { chunk in
            hasher.update(chunk)
            try handle.write(contentsOf: Data(chunk))
        }
        try handle.close()
        // The content streamed is the content digested: the two views must agree.
        guard hasher.finalize() == messageDigest else { throw PKIError(message: "content and messageDigest disagree") }
        let output = directory.file("cms.der")
        let result = try Tool.run("openssl", [
            "cms", "-sign", "-binary", "-md", digestAlgorithm.rawValue.replacingOccurrences(of: "-", with: "").lowercased(),
            "-cades", "-nosmimecap", "-outform", "DER", "-signer", certificate.path, "-inkey", key.path,
            "-certfile", chain.path, "-in", input.path, "-out", output.path,
        ])
        guard result.status == 0 else { throw PKIError(message: "openssl cms -sign failed: \(result.stderr)") }
        return [UInt8](try Data(contentsOf: output))
    }
}

/// Verifies a detached CMS with `openssl cms -verify` against the test root.
struct OpenSSLCLIVerifier: PDFSignatureVerifier {
    var trustAnchor: URL
    var intermediates: URL

    init(pki: TestPKI) {
        trustAnchor = pki.rootCertificate
        intermediates = pki.caCertificate
    }

    func verifyDetached(cms: [UInt8], content: PDFSignedContent, claimedSigningTime: Date?) async throws -> PDFCMSValidation {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = directory.file("content.bin")
        _ = FileManager.default.createFile(atPath: input.path, contents: nil)
        let handle = try FileHandle(forWritingTo: input)
        try content.forEachChunk { try handle.write(contentsOf: Data($0)) }
        try handle.close()
        let signature = try directory.write(cms, to: "cms.der")
        let signerOut = directory.file("signer.pem")
        let result = try Tool.run("openssl", [
            "cms", "-verify", "-binary", "-inform", "DER", "-in", signature.path, "-content", input.path,
            "-CAfile", trustAnchor.path, "-certfile", intermediates.path, "-purpose", "any",
            "-signer", signerOut.path, "-out", "/dev/null",
        ])
        var signer: String?
        if let subject = try? Tool.run("openssl", ["x509", "-in", signerOut.path, "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus_space"]),
           subject.status == 0 {
            signer = subject.stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "subject=", with: "")
        }
        if result.status == 0 {
            return PDFCMSValidation(indication: .totalPassed, signer: signer, signingTime: claimedSigningTime, checks: ["openssl cms -verify"])
        }
        if ["digest failure", "content mismatch", "signature failure", "content verify error"].contains(where: result.stderr.contains) {
            return PDFCMSValidation(indication: .totalFailed, subIndication: "HASH_FAILURE", signer: signer, checks: [result.stderr])
        }
        return PDFCMSValidation(indication: .indeterminate, subIndication: "NO_CERTIFICATE_CHAIN_FOUND", signer: signer, checks: [result.stderr])
    }
}
