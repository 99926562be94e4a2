import Foundation
import Synchronization
import Testing
@testable import VanThuSigning

/// A director's USB token, played by SoftHSM2 (a real PKCS#11 module, Debian's softhsm2): the
/// development key and certificate of Nguyễn Văn Hùng are put on a token, and signing goes through
/// OpenSSL's pkcs11 engine (libengine-pkcs11-openssl), as with a VNPT-CA or Viettel-CA token.
@Suite(.serialized) struct PKCS11Tests {
    let pki = TestPKI.shared
    let token: SoftToken

    init() throws { token = try SoftToken.shared.get() }

    private func document() throws -> URL {
        let file = try temporaryDirectory("token").appendingPathComponent("quyet-dinh.txt")
        try write("Quyết định khen thưởng học sinh giỏi cấp tỉnh năm học 2025–2026", to: file)
        return file
    }

    private var environment: [String: String] {
        ["SOFTHSM2_CONF": token.configuration, "VANTHU_PKCS11_MODULE": SoftToken.module, "TOKEN_PIN": SoftToken.pin]
    }

    @Test func signsWithTheKeyOnTheTokenAndTheCertificateFromIt() async throws {
        let identity = try SigningIdentity(pkcs11URI: token.keyURI, module: SoftToken.module, pin: .literal(SoftToken.pin))
        #expect(identity.certificate.subject.commonName == "Nguyễn Văn Hùng")
        let file = try document()
        let signature = try await CAdESSigner(identity: identity).sign(fileAt: file.path)
        let report = try await SignatureValidator(trustStore: pki.trustStore(withIntermediate: true))
            .validate(signature: signature, contentAt: file.path)
        #expect(report.indication == .totalPassed, "\(report.text)")
        #expect(report.signatures.first?.signer?.commonName == "Nguyễn Văn Hùng")
    }

    /// Copies of an EC key loaded through the pkcs11 engine share the engine's key data, so a
    /// signing context freed with its copy (when more signatures run at once than the pool of
    /// contexts keeps) freed it for the others too, and the next signature read freed memory.
    /// More threads than the pool keeps sign at once, three times over; every signature verifies.
    @Test func manyThreadsSignAtOnceWithAnECKeyOnTheToken() throws {
        let identity = try SigningIdentity(pkcs11URI: token.ecKeyURI, module: SoftToken.module, pin: .literal(SoftToken.pin))
        #expect(identity.certificate.subject.commonName == "Elliptic P-256")
        let file = try document()
        let signer = CAdESSigner(identity: identity)
        // The token holds no intermediate and the signature embeds none: the store supplies it.
        let validator = try SignatureValidator(trustStore: pki.trustStore(withIntermediate: true))
        for _ in 0..<3 {
            let results = Mutex<[Result<[UInt8], any Error>]>([])
            let group = DispatchGroup()
            for _ in 0..<24 {
                group.enter()
                Thread {
                    let result = Result { try signer.signSynchronously(fileAt: file.path) }
                    results.withLock { $0.append(result) }
                    group.leave()
                }.start()
            }
            group.wait()
            let signatures = try results.withLock { $0 }.map { try $0.get() }
            #expect(signatures.count == 24)
            for signature in signatures {
                let report = try validator.validateSynchronously(signature: signature, contentAt: file.path)
                #expect(report.indication == .totalPassed, "\(report.text)")
            }
        }
    }

    @Test func theCLISignsWithATokenAndTheSignatureVerifies() throws {
        let file = try document()
        let signed = try runVanThu(["sign", file.path, "--pkcs11", token.keyURI, "--chain", pki.issuingCA,
                                    "--passphrase", "env:TOKEN_PIN"], environment: environment)
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(signed.output.contains("Nguyễn Văn Hùng"))
        let verified = try runVanThu(["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory])
        #expect(verified.status == 0, "\(verified.output)")
        // OpenSSL itself agrees.
        let openSSL = try openssl(["cms", "-verify", "-binary", "-inform", "DER", "-in", file.path + ".p7s", "-content", file.path,
                                   "-CAfile", pki.rootCertificate, "-out", "/dev/null"])
        #expect(openSSL.status == 0, "\(openSSL.stderr)")
    }

    @Test func theCertificateFileMayBeGivenInstead() throws {
        let file = try document()
        let signed = try runVanThu(["sign", file.path, "--pkcs11", token.keyURI, "--cert", pki.cert("hung.nv"),
                                    "--passphrase", "env:TOKEN_PIN", "--out", file.path + ".sig"], environment: environment)
        #expect(signed.status == 0, "\(signed.stderr)")
        // Without --chain the issuing CA is not embedded: the verifier needs it from --untrusted.
        let verify = ["verify", file.path, "--signature", file.path + ".sig", "--trust", pki.trustDirectory]
        #expect(try runVanThu(verify).status == 2)
        #expect(try runVanThu(verify + ["--untrusted", pki.issuingCA]).status == 0)
    }

    @Test func badTokenInputExitsThreeWithOneSentenceAndWritesNothing() throws {
        let file = try document()
        let unknown = "pkcs11:token=\(SoftToken.label);object=nobody;type=private"
        let cases: [([String], [String: String], String)] = [
            (["--pkcs11", token.keyURI, "--passphrase", "pass:000000"], environment, "vanthu: The token does not accept the PIN.\n"),
            (["--pkcs11", unknown, "--passphrase", "env:TOKEN_PIN"], environment, "vanthu: No private key on a token matches \(unknown).\n"),
            (["--pkcs11", "token=abc", "--passphrase", "env:TOKEN_PIN"], environment,
             "vanthu: A token key is named by a PKCS#11 URI, e.g. pkcs11:token=VNPT-CA;object=ky-so;type=private.\n"),
            (["--pkcs11", token.keyURI, "--pkcs11-module", "/nonexistent/module.so", "--passphrase", "env:TOKEN_PIN"], environment,
             "vanthu: The PKCS#11 module /nonexistent/module.so does not exist: install the token's driver or give its path.\n"),
            (["--pkcs11", token.keyURI, "--p12", pki.p12("hung.nv")], environment, "vanthu: Give one key: --key, --p12 or --pkcs11.\n"),
            (["--key", pki.key("hung.nv"), "--cert", pki.cert("hung.nv"), "--pkcs11-module", SoftToken.module], environment,
             "vanthu: --pkcs11-module goes with --pkcs11.\n"),
            // The key on the token is not the one of Trần Thị Lan's certificate.
            (["--pkcs11", token.keyURI, "--cert", pki.cert("lan.tt"), "--passphrase", "env:TOKEN_PIN"], environment,
             "vanthu: The private key does not belong to the certificate of Trần Thị Lan.\n"),
        ]
        for (options, environment, message) in cases {
            let result = try runVanThu(["sign", file.path] + options, environment: environment)
            #expect(result.status == 3, "\(options): \(result.stderr)")
            #expect(result.stderr == message, "\(options)")
            #expect(!FileManager.default.fileExists(atPath: file.path + ".p7s"), "\(options)")
        }
    }

    @Test func certificateURINamesTheCertificateObject() {
        #expect(PKCS11Token.certificateURI("pkcs11:token=VNPT-CA;object=ky-so;type=private")
            == "pkcs11:token=VNPT-CA;object=ky-so;type=cert")
        #expect(PKCS11Token.certificateURI("pkcs11:token=A;id=%01;pin-value=1234?module-path=/x.so") == "pkcs11:token=A;id=%01;type=cert")
    }
}

/// A SoftHSM2 token in a temporary folder holding hung.nv's RSA key and certificate and the
/// `ec256` fixture's P-256 key and certificate, made once per run.
struct SoftToken: Sendable {
    static let module = "/usr/lib/softhsm/libsofthsm2.so"
    static let label = "vanthu-test"
    static let pin = "246810"
    static let shared: Result<SoftToken, any Error> = Result { try SoftToken() }

    let configuration: String
    var keyURI: String { "pkcs11:token=\(Self.label);object=hung.nv;type=private" }
    var ecKeyURI: String { "pkcs11:token=\(Self.label);object=ec256;type=private" }

    private init() throws {
        for tool in [Self.module, "/usr/bin/softhsm2-util", "/usr/bin/pkcs11-tool"] where !FileManager.default.fileExists(atPath: tool) {
            throw TokenSetupError("\(tool) is missing: `make test` installs softhsm2, opensc and libengine-pkcs11-openssl.")
        }
        let directory = try temporaryDirectory("softhsm")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("tokens"), withIntermediateDirectories: true)
        configuration = directory.appendingPathComponent("softhsm2.conf").path
        try write("directories.tokendir = \(directory.appendingPathComponent("tokens").path)\nobjectstore.backend = file\nlog.level = ERROR\n",
                  to: URL(fileURLWithPath: configuration))
        // SoftHSM reads its configuration when the module is first loaded in this process.
        setenv("SOFTHSM2_CONF", configuration, 1)
        let env = ["SOFTHSM2_CONF": configuration]
        let pki = TestPKI.shared
        let certificateDER = directory.appendingPathComponent("hung.nv.der").path
        let ecCertificateDER = directory.appendingPathComponent("ec256.der").path
        let steps: [(String, [String])] = [
            ("softhsm2-util", ["--init-token", "--free", "--label", Self.label, "--pin", Self.pin, "--so-pin", "13579111"]),
            ("softhsm2-util", ["--import", pki.key("hung.nv"), "--token", Self.label, "--label", "hung.nv", "--id", "01", "--pin", Self.pin]),
            ("openssl", ["x509", "-in", pki.cert("hung.nv"), "-outform", "DER", "-out", certificateDER]),
            ("pkcs11-tool", ["--module", Self.module, "--token-label", Self.label, "--login", "--pin", Self.pin,
                             "--write-object", certificateDER, "--type", "cert", "--id", "01", "--label", "hung.nv"]),
            ("softhsm2-util", ["--import", pki.fixtureKey("ec256"), "--token", Self.label, "--label", "ec256", "--id", "02", "--pin", Self.pin]),
            ("openssl", ["x509", "-in", pki.fixtureCert("ec256"), "-outform", "DER", "-out", ecCertificateDER]),
            ("pkcs11-tool", ["--module", Self.module, "--token-label", Self.label, "--login", "--pin", Self.pin,
                             "--write-object", ecCertificateDER, "--type", "cert", "--id", "02", "--label", "ec256"]),
        ]
        for (tool, arguments) in steps {
            let result = try runProcess(tool, arguments, environment: env)
            guard result.status == 0 else { throw TokenSetupError("\(tool) \(arguments.first ?? "") failed: \(result.stderr)") }
        }
    }
}

struct TokenSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
