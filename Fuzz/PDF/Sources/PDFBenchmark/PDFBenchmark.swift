import CBenchCMS
import FoundationEssentials
import Glibc
import VanThuPDF
import VanThuSigning

/// Signs or verifies one PDF, for bench.sh to time next to pyHanko:
///   PDFBenchmark sign IN OUT CERT KEY CHAIN
///   PDFBenchmark verify FILE ROOT CHAIN
@main
struct PDFBenchmark {
    static func main() async throws {
        let args = CommandLine.arguments
        switch args.dropFirst().first {
        case "sign" where args.count == 7:
            let producer = InProcessProducer(certificate: args[4], key: args[5], chain: args[6])
            try await PDFSigner.sign(fileAt: URL(fileURLWithPath: args[2]), to: URL(fileURLWithPath: args[3]),
                                     request: PDFSignatureRequest(), producer: producer)
        case "verify" where args.count == 5:
            let report = try await PDFSignatureValidator.verify(fileAt: URL(fileURLWithPath: args[2]),
                                                                verifier: InProcessVerifier(root: args[3], chain: args[4]))
            for signature in report.signatures {
                print(signature.fieldName, signature.indication.rawValue, signature.coversWholeDocument ? "whole-file" : "partial")
            }
            exit(report.exitStatus)
        default:
            let usage = "usage: PDFBenchmark sign IN OUT CERT KEY CHAIN | verify FILE ROOT CHAIN\n"
            _ = usage.withCString { write(2, $0, strlen($0)) }
            exit(3)
        }
    }
}

struct BenchError: Error {}

struct InProcessProducer: PDFSignatureProducer {
    var certificate: String
    var key: String
    var chain: String

    func signDetached(messageDigest: [UInt8], digestAlgorithm: DigestAlgorithm, signingTime: Date,
                      content: PDFSignedContent) async throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        let ok = messageDigest.withUnsafeBufferPointer {
            bench_cms_sign_digest(certificate, key, chain, $0.baseAddress, $0.count, &out, &length)
        }
        guard ok == 1, let out else { throw BenchError() }
        defer { bench_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }
}

struct InProcessVerifier: PDFSignatureVerifier {
    var root: String
    var chain: String

    func verifyDetached(cms: [UInt8], content: PDFSignedContent, claimedSigningTime: Date?) async throws -> PDFCMSValidation {
        let digest = content.digest(.sha256)
        let result = cms.withUnsafeBufferPointer { der in
            digest.withUnsafeBufferPointer { bench_cms_verify_digest(der.baseAddress, der.count, $0.baseAddress, $0.count, root, chain) }
        }
        switch result {
        case 1: return PDFCMSValidation(indication: .totalPassed)
        case -1: return PDFCMSValidation(indication: .indeterminate, subIndication: "NO_CERTIFICATE_CHAIN_FOUND")
        default: return PDFCMSValidation(indication: .totalFailed, subIndication: "HASH_FAILURE")
        }
    }
}
