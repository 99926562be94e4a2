import Foundation
import VanThuPDF
import VanThuSigning

/// The real signing core over the test PKI's key files: what the product uses.
extension TestPKI {
    func identity(index: Int) throws -> SigningIdentity {
        let pairs = [(signerCertificate, signerKey), (deputyCertificate, deputyKey), (sealCertificate, sealKey)]
        let (certificate, key) = pairs[index % 3]
        return try SigningIdentity(keyFile: key.path, certificateFile: certificate.path, chainFile: caCertificate.path)
    }

    func coreProducer(index: Int) throws -> CAdESPDFSignatureProducer {
        CAdESPDFSignatureProducer(identity: try identity(index: index))
    }

    func coreProducer(seal: Bool = false) throws -> CAdESPDFSignatureProducer { try coreProducer(index: seal ? 2 : 0) }

    /// The test root as the only anchor, no CRL (the default policy warns and passes).
    func coreVerifier(at time: Date = Date()) throws -> PAdESSignatureVerifier {
        let store = try TrustStore(anchors: Certificate.load(contentsOf: rootCertificate.path),
                                   intermediates: [], crls: [])
        return PAdESSignatureVerifier(validator: SignatureValidator(trustStore: store), at: time)
    }
}

/// The development PKI of Keys/dev-pki.sh (with Đặng Văn Tùng's certificate revoked in the CA's CRL),
/// made once per test run in a temporary directory.
struct DevPKI: Sendable {
    static let passphrase = "test-p12-secret"
    private static let made: Result<DevPKI, any Error> = Result { try DevPKI() }
    static func shared() throws -> DevPKI { try made.get() }

    let directory: URL

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    private init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vanthu-pades-dev-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = Self.repositoryRoot.appendingPathComponent("Keys/dev-pki.sh").path
        let result = try Tool.run("bash", [script, "--out", directory.path], environment: ["VANTHU_DEV_P12_PASSPHRASE": Self.passphrase])
        guard result.status == 0 else { throw PKIError(message: "dev-pki.sh failed: \(result.stderr)") }
    }

    func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }
    var trustDirectory: String { path("trust") }
    func p12(_ user: String) -> String { path("people/\(user).p12") }

    func identity(_ user: String) throws -> SigningIdentity {
        try SigningIdentity(pkcs12File: p12(user), passphrase: .literal(Self.passphrase))
    }

    /// Trust directory: the dev root and the CA's and root's CRLs.
    func verifier(at time: Date = Date()) throws -> PAdESSignatureVerifier {
        PAdESSignatureVerifier(validator: SignatureValidator(trustStore: try TrustStore.load(trustPath: trustDirectory)), at: time)
    }
}

/// The `vanthu` executable built next to this test bundle.
enum VanThuBinary {
    static func path() throws -> String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vanthu"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("vanthu"),
            DevPKI.repositoryRoot.appendingPathComponent(".build/debug/vanthu"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw PKIError(message: "The vanthu executable was not found next to the test bundle; build it with `swift build`.")
        }
        return found.path
    }
}
