import Foundation

/// A development PKI made with the openssl CLI once per test run:
/// RSA-3072 root → issuing CA → signer, with Vietnamese UTF-8 subjects.
struct TestPKI: Sendable {
    let directory: URL
    var rootCertificate: URL { directory.appendingPathComponent("root.pem") }
    var caCertificate: URL { directory.appendingPathComponent("ca.pem") }
    var signerCertificate: URL { directory.appendingPathComponent("signer.pem") }
    var signerKey: URL { directory.appendingPathComponent("signer.key") }
    var sealCertificate: URL { directory.appendingPathComponent("seal.pem") }
    var sealKey: URL { directory.appendingPathComponent("seal.key") }
    var deputyCertificate: URL { directory.appendingPathComponent("deputy.pem") }
    var deputyKey: URL { directory.appendingPathComponent("deputy.key") }

    static let signerSubject = "/C=VN/L=Thanh Hóa/O=Sở Giáo dục và Đào tạo Thanh Hóa/CN=Nguyễn Văn Ân"
    static let sealSubject = "/C=VN/L=Thanh Hóa/O=Sở Giáo dục và Đào tạo Thanh Hóa/CN=Sở Giáo dục và Đào tạo Thanh Hóa"

    private static let made: Result<TestPKI, any Error> = Result { try TestPKI.make() }

    static func shared() throws -> TestPKI { try made.get() }

    private static func make() throws -> TestPKI {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vanthu-pdf-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func openssl(_ args: [String]) throws {
            let result = try Tool.run("openssl", args)
            guard result.status == 0 else { throw PKIError(message: "openssl \(args.first ?? "") failed: \(result.stderr)") }
        }
        try """
        [ca]
        basicConstraints = critical, CA:true
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always
        [leaf]
        basicConstraints = critical, CA:false
        keyUsage = critical, digitalSignature, nonRepudiation
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always
        """.write(toFile: path("ext.cnf"), atomically: true, encoding: .utf8)
        for name in ["root", "ca", "signer", "seal", "deputy"] {
            try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072", "-out", path("\(name).key")])
        }
        try openssl(["req", "-x509", "-new", "-utf8", "-key", path("root.key"), "-sha256", "-days", "3650",
                     "-subj", "/C=VN/O=VanThu thử nghiệm/CN=VanThu Root CA thử nghiệm G2",
                     "-extensions", "ca", "-config", path("ext.cnf"), "-out", path("root.pem")])
        func issue(_ name: String, subject: String, issuer: String, extensions: String) throws {
            try openssl(["req", "-new", "-utf8", "-key", path("\(name).key"), "-subj", subject, "-out", path("\(name).csr"),
                         "-config", path("ext.cnf")])
            try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(issuer).pem"), "-CAkey", path("\(issuer).key"),
                         "-CAcreateserial", "-sha256", "-days", "1825", "-extfile", path("ext.cnf"), "-extensions", extensions,
                         "-out", path("\(name).pem")])
        }
        try issue("ca", subject: "/C=VN/O=VanThu thử nghiệm/CN=CA phục vụ các cơ quan Nhà nước thử nghiệm", issuer: "root", extensions: "ca")
        try issue("signer", subject: signerSubject, issuer: "ca", extensions: "leaf")
        try issue("seal", subject: sealSubject, issuer: "ca", extensions: "leaf")
        try issue("deputy", subject: "/C=VN/L=Thanh Hóa/O=Sở Giáo dục và Đào tạo Thanh Hóa/CN=Lê Thị Hồng Nhung", issuer: "ca", extensions: "leaf")
        return TestPKI(directory: directory)
    }
}

struct PKIError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
