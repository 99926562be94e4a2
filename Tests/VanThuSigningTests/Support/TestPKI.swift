import Foundation
@testable import VanThuSigning

/// The development PKI made by Keys/dev-pki.sh in a temporary directory, once per test run,
/// plus the odd certificates the validation table needs, issued by the same CA with openssl.
struct TestPKI: Sendable {
    static let passphrase = "test-p12-secret"
    static let shared: TestPKI = {
        do { return try TestPKI() } catch { fatalError("The test PKI could not be made: \(error)") }
    }()

    let directory: URL

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    private init() throws {
        directory = try temporaryDirectory("pki")
        let script = Self.repositoryRoot.appendingPathComponent("Keys/dev-pki.sh").path
        let result = try runProcess("/bin/bash", [script, "--out", directory.path],
                                    environment: ["VANTHU_DEV_P12_PASSPHRASE": Self.passphrase])
        guard result.status == 0 else { throw TestFailure("dev-pki.sh failed: \(result.stderr)") }
        try issueFixtures()
    }

    func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    var trustDirectory: String { path("trust") }
    var rootCertificate: String { path("root/root.pem") }
    var issuingCA: String { path("ca/ca.pem") }
    var issuingCRL: String { path("ca/ca.crl.pem") }
    func key(_ user: String) -> String { path("people/\(user).key") }
    func cert(_ user: String) -> String { path("people/\(user).pem") }
    func p12(_ user: String) -> String { path("people/\(user).p12") }
    func fixtureKey(_ name: String) -> String { path("fixtures/\(name).key") }
    func fixtureCert(_ name: String) -> String { path("fixtures/\(name).pem") }

    func identity(_ user: String) throws -> SigningIdentity {
        try SigningIdentity(pkcs12File: p12(user), passphrase: .literal(Self.passphrase))
    }

    func fixtureIdentity(_ name: String) throws -> SigningIdentity {
        try SigningIdentity(keyFile: fixtureKey(name), certificateFile: fixtureCert(name), chainFile: issuingCA)
    }

    /// A trust store with the dev root, the dev CRLs, and the issuing CA as a known intermediate.
    func trustStore(withIntermediate: Bool = false) throws -> TrustStore {
        try TrustStore.load(trustPath: trustDirectory, untrustedFiles: withIntermediate ? [issuingCA] : [])
    }

    // MARK: - Fixtures

    private func issueFixtures() throws {
        let fixtures = directory.appendingPathComponent("fixtures")
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        let person = "/C=VN/L=Thanh Hóa/O=Sở Giáo dục và Đào tạo tỉnh Thanh Hóa"
        try issue("expired", subject: "\(person)/CN=Lê Văn Hết Hạn", start: "20200101000000Z", end: "20210101000000Z")
        try issue("encipher-only", subject: "\(person)/CN=Trịnh Thị Mã Hóa", extensions: "v3_encipher_only")
        try issue("rsa1024", subject: "\(person)/CN=Khóa Yếu", key: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"])
        try issue("sha1-cert", subject: "\(person)/CN=Chữ Ký SHA1", digest: "sha1")
        try issue("ec256", subject: "\(person)/CN=Elliptic P-256", key: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
        try issue("ec384", subject: "\(person)/CN=Elliptic P-384", key: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"])
        try issue("rsa2048", subject: "\(person)/CN=Nguyễn Thị Hai Nghìn", key: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
        try issue("fake-ca", subject: "\(person)/CN=Không Phải CA", extensions: "v3_fake_ca")
        // A certificate "issued" by an end-entity certificate: the CA constraint is broken.
        try openssl(["genpkey", "-quiet", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", fixtureKey("under-fake-ca")])
        try openssl(["req", "-new", "-utf8", "-key", fixtureKey("under-fake-ca"), "-subj", "/C=VN/CN=Dưới CA Giả",
                     "-out", path("fixtures/under-fake-ca.csr")])
        let ext = path("fixtures/leaf.ext")
        try write("keyUsage = critical, digitalSignature, nonRepudiation\n", to: URL(fileURLWithPath: ext))
        try openssl(["x509", "-req", "-in", path("fixtures/under-fake-ca.csr"), "-CA", fixtureCert("fake-ca"),
                     "-CAkey", fixtureKey("fake-ca"), "-CAcreateserial", "-days", "30", "-sha256",
                     "-extfile", ext, "-out", fixtureCert("under-fake-ca")])
        // Revoked on 1 January 2024, so that validation before and after that date differ.
        try issue("revoked-2024", subject: "\(person)/CN=Thu Hồi Năm 2024", start: "20230101000000Z", end: "20350101000000Z")
        try revoke("revoked-2024", on: "240101000000Z")
        // Listed with a revocation date after the CRL's nextUpdate (1 January 2031), so that
        // validation between the two finds the CRL stale, and after the second finds it revoked.
        try issue("revoked-2031", subject: "\(person)/CN=Thu Hồi Năm 2031", start: "20230101000000Z", end: "20350101000000Z")
        try revoke("revoked-2031", on: "310101000000Z")
        try openssl(["ca", "-batch", "-gencrl", "-config", path("ca/openssl.cnf"), "-out", issuingCRL])
        try FileManager.default.removeItem(atPath: path("trust/vanthu-dev-ca.crl.pem"))
        try FileManager.default.copyItem(atPath: issuingCRL, toPath: path("trust/vanthu-dev-ca.crl.pem"))
        // An unrelated root, to be trusted instead of the dev root.
        try openssl(["req", "-x509", "-new", "-utf8", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", fixtureKey("other-root"), "-subj", "/C=VN/CN=Một Root Khác", "-days", "30",
                     "-out", fixtureCert("other-root")])
    }

    /// Revokes a fixture (keyCompromise) with the revocation date `date` (UTCTime), written into
    /// the CA's database, since `openssl ca -revoke` dates it now.
    private func revoke(_ name: String, on date: String) throws {
        try openssl(["ca", "-batch", "-config", path("ca/openssl.cnf"), "-revoke", fixtureCert(name), "-crl_reason", "keyCompromise"])
        let index = URL(fileURLWithPath: path("ca/index.txt"))
        let serial = try openssl(["x509", "-in", fixtureCert(name), "-noout", "-serial"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        let lines = try String(contentsOf: index, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if fields.count > 3, fields[3] == serial { fields[2] = "\(date),keyCompromise" }
            return fields.joined(separator: "\t")
        }
        try lines.joined(separator: "\n").write(to: index, atomically: true, encoding: .utf8)
    }

    private func issue(_ name: String, subject: String, key: [String] = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
                       extensions: String = "v3_signer", digest: String = "sha256", start: String? = nil, end: String? = nil) throws {
        try openssl(["genpkey", "-quiet"] + key + ["-out", fixtureKey(name)])
        let csr = path("fixtures/\(name).csr")
        try openssl(["req", "-new", "-utf8", "-key", fixtureKey(name), "-subj", subject, "-out", csr])
        var arguments = ["ca", "-batch", "-notext", "-utf8", "-preserveDN", "-config", path("ca/openssl.cnf"),
                         "-extensions", extensions, "-md", digest, "-in", csr, "-out", fixtureCert(name)]
        if let start, let end { arguments += ["-startdate", start, "-enddate", end] }
        try openssl(arguments)
    }
}
