import ArgumentParser
import Foundation
import VanThuServer
import VanThuSigning
import VanThuStore

extension User {
    struct AddCert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-cert",
            abstract: "Register a person's signing certificate (the private key stays with them).")

        @OptionGroup var common: CommonOptions
        @Option(help: "The account's username.") var username: String
        @Option(help: "The certificate, PEM or DER.") var cert: String

        func run() async throws {
            try await runReporting {
                let configuration = try common.configuration()
                let logger = makeLogger(configuration)
                let certificates: [Certificate]
                do { certificates = try Certificate.load(contentsOf: cert) } catch {
                    throw Failure("\(cert) holds no readable certificate: \(error)", status: 3)
                }
                guard certificates.count == 1, let c = certificates.first else {
                    throw Failure("\(cert) must hold exactly one certificate, not \(certificates.count)", status: 3)
                }
                guard !c.isCertificateAuthority else { throw Failure("\(cert) is a CA certificate, not a person's", status: 3) }
                let registration = CertificateRegistration(
                    fingerprintSHA256: c.sha256Fingerprint, subject: c.subject.description, issuer: c.issuer.description,
                    serial: c.serialNumber, notBefore: c.notBefore, notAfter: c.notAfter, der: c.der)
                try await withDatabase(configuration, logger: logger) { client in
                    try await UserRepository(client: client, logger: logger).addCertificate(username: username, registration)
                }
                print("registered \(c.subject) (SHA-256 \(c.sha256Fingerprint)) for \(username)")
            }
        }
    }
}
