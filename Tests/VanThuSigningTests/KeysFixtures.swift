import Foundation
@testable import VanThuSigning

/// Keys and certificates the key-handling tests need beyond the shared test PKI, issued by the
/// dev issuing CA with `openssl x509 -req` (which, unlike `openssl ca`, keeps no database that
/// tests running in parallel could both write).
struct KeysFixtures {
    let pki = TestPKI.shared
    let directory: URL

    init(_ name: String) throws {
        directory = try temporaryDirectory("keys-\(name)")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A key made by `openssl genpkey` with `options`, and its certificate from the issuing CA.
    @discardableResult
    func issue(_ name: String, subject: String, key options: [String]) throws -> (key: String, cert: String) {
        let key = path("\(name).key")
        try openssl(["genpkey", "-quiet"] + options + ["-out", key])
        try issue(name, subject: subject, existingKey: key)
        return (key, path("\(name).pem"))
    }

    /// A certificate from the issuing CA for an existing key file.
    func issue(_ name: String, subject: String, existingKey key: String) throws {
        let csr = path("\(name).csr")
        try openssl(["req", "-new", "-utf8", "-key", key, "-subj", subject, "-out", csr])
        let serial = "0x" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(30)
        try openssl(["x509", "-req", "-in", csr, "-CA", pki.issuingCA, "-CAkey", pki.path("ca/ca.key"),
                     "-set_serial", String(serial), "-days", "30", "-sha256",
                     "-extfile", pki.path("ca/openssl.cnf"), "-extensions", "v3_signer", "-out", path("\(name).pem")])
    }

    /// A small document to sign.
    func document(_ text: String = "Công văn số 12/SGDĐT") throws -> URL {
        let file = directory.appendingPathComponent("cong-van-\(UUID().uuidString.prefix(6)).txt")
        try write(text, to: file)
        return file
    }

    /// `openssl cms -verify` of a detached DER signature against the dev root.
    func opensslVerifies(signature: String, content: String) throws -> Bool {
        let result = try runProcess("/usr/bin/openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", signature,
                                                         "-content", content, "-CAfile", pki.rootCertificate,
                                                         "-purpose", "any", "-out", "/dev/null"])
        return result.status == 0
    }
}
