import Foundation

/// Key and certificate files of the development PKI (Keys/dev-pki.sh, made once per test run by
/// `DevPKI`), for the tests that sign with the openssl CLI, pyHanko and the signing core from
/// files: RSA-3072 root → issuing CA → Nguyễn Văn Hùng (giám đốc), Trần Thị Lan (phó giám đốc)
/// and the department's seal certificate, with Vietnamese UTF-8 subjects.
struct TestPKI: Sendable {
    let directory: URL
    var rootCertificate: URL { file("root/root.pem") }
    var caCertificate: URL { file("ca/ca.pem") }
    var signerCertificate: URL { file("people/hung.nv.pem") }
    var signerKey: URL { file("people/hung.nv.key") }
    var sealCertificate: URL { file("orgs/sgddt-thanhhoa.pem") }
    var sealKey: URL { file("orgs/sgddt-thanhhoa.key") }
    var deputyCertificate: URL { file("people/lan.tt.pem") }
    var deputyKey: URL { file("people/lan.tt.key") }

    /// The signer's common name, as reports and pdfsig print it.
    static let signerName = "Nguyễn Văn Hùng"

    static func shared() throws -> TestPKI { TestPKI(directory: try DevPKI.shared().directory) }

    private func file(_ relative: String) -> URL { directory.appendingPathComponent(relative) }
}

struct PKIError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
