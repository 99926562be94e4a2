import FoundationEssentials
import Glibc
import VanThuPDF
import VanThuSigning

/// The counterpart of bench/pdf-bench.sh's pyHanko scripts: a minimal program around the
/// library that approval workflows call (VanThuPDF with VanThuSigning's CAdES producer and
/// validator), as the scripts are minimal programs around pyHanko's library.
///   PDFBenchmark sign IN OUT KEY CERT CHAIN
///   PDFBenchmark verify FILE ROOT CHAIN
@main
struct PDFBenchmark {
    /// A synchronous main that parks the main thread while the work runs on the cooperative
    /// pool and ends the process itself. An `async` main would instead hand the main thread
    /// to `dispatch_main`, whose `pthread_exit` unwinds the main stack through the unwind
    /// tables at start-up: about 0.8 MiB of them paged in for nothing.
    static func main() {
        Task.detached {
            do {
                try await run()
                exit(0)
            } catch {
                let message = "PDFBenchmark: \(error)\n"
                _ = message.withCString { write(2, $0, strlen($0)) }
                exit(3)
            }
        }
        while true { pause() }
    }

    static func run() async throws {
        let args = CommandLine.arguments
        switch args.dropFirst().first {
        case "sign" where args.count == 7:
            let identity = try SigningIdentity(keyFile: args[4], certificateFile: args[5], chainFile: args[6], passphrase: nil)
            try await PDFSigner.sign(fileAt: URL(fileURLWithPath: args[2]), to: URL(fileURLWithPath: args[3]),
                                     request: PDFSignatureRequest(), producer: CAdESPDFSignatureProducer(identity: identity))
        case "verify" where args.count == 5:
            let store = try TrustStore.load(trustPath: args[3], untrustedFiles: [args[4]], crlFiles: [])
            let verifier = PAdESSignatureVerifier(validator: SignatureValidator(trustStore: store, policy: .default))
            let report = try await verifier.documentReport(fileAt: URL(fileURLWithPath: args[2]))
            for signature in report.signatures {
                print(signature.id, signature.indication.rawValue, signature.coverage?.coversWholeDocument == true ? "whole-file" : "partial")
            }
            exit(report.indication == .totalPassed ? 0 : 1)
        default:
            let usage = "usage: PDFBenchmark sign IN OUT KEY CERT CHAIN | verify FILE ROOT CHAIN\n"
            _ = usage.withCString { write(2, $0, strlen($0)) }
            exit(3)
        }
    }
}
