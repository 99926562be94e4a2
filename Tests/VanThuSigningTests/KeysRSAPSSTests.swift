import Foundation
import Testing
@testable import VanThuSigning

/// Keys of type id-RSASSA-PSS (`openssl genpkey -algorithm RSA-PSS`) sign with PSS padding and
/// RSASSA-PSS parameters, whatever padding was asked for; restricted ones only with their hash.
@Suite struct KeysRSAPSSTests {
    let pki = TestPKI.shared
    let person = "/C=VN/L=Thanh Hóa/CN=Đỗ Văn Khóa PSS"

    @Test func unrestrictedRSAPSSKeySignsVerifiably() throws {
        let fixtures = try KeysFixtures("pss")
        let (key, cert) = try fixtures.issue("pss", subject: person, key: ["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"])
        let identity = try SigningIdentity(keyFile: key, certificateFile: cert, chainFile: pki.issuingCA)
        #expect(identity.publicKey.algorithm == .rsaPSS)
        for digest in DigestAlgorithm.allCases {
            for padding in RSASignaturePadding.allCases {
                for includeSigningTime in [true, false] {
                    let file = try fixtures.document()
                    let signature = try CAdESSigner(identity: identity, digestAlgorithm: digest, rsaPadding: padding,
                                                    includeSigningTime: includeSigningTime).signSynchronously(fileAt: file.path)
                    let out = file.path + ".p7s"
                    try Data(signature).write(to: URL(fileURLWithPath: out))
                    #expect(try fixtures.opensslVerifies(signature: out, content: file.path), "\(digest) \(padding)")
                    let report = try SignatureValidator(trustStore: pki.trustStore())
                        .validateSynchronously(signature: signature, contentAt: file.path)
                    #expect(report.indication == .totalPassed, "\(digest) \(padding) \(report.text)")
                    #expect(report.signatures.first?.signatureAlgorithm?.hasPrefix("RSASSA-PSS") == true)
                }
            }
        }
    }

    @Test func cliSignsWithAnRSAPSSKey() throws {
        let fixtures = try KeysFixtures("pss-cli")
        let (key, cert) = try fixtures.issue("pss", subject: person, key: ["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"])
        let file = try fixtures.document()
        let result = try runVanThu(["sign", file.path, "--key", key, "--cert", cert, "--chain", pki.issuingCA])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try fixtures.opensslVerifies(signature: file.path + ".p7s", content: file.path))
        let verified = try runVanThu(["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory])
        #expect(verified.status == 0, "\(verified.output)")
    }

    @Test func restrictedRSAPSSKeyRefusesAnotherDigest() throws {
        let fixtures = try KeysFixtures("pss-restricted")
        let (key, cert) = try fixtures.issue("pss", subject: person, key: ["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048",
                                                                           "-pkeyopt", "rsa_pss_keygen_md:sha256",
                                                                           "-pkeyopt", "rsa_pss_keygen_mgf1_md:sha256"])
        let identity = try SigningIdentity(keyFile: key, certificateFile: cert, chainFile: pki.issuingCA)
        let file = try fixtures.document()
        #expect(throws: SigningError(.unsupportedAlgorithm, "The RSA-PSS key may only sign with SHA-256, not SHA-384: choose that digest.")) {
            try CAdESSigner(identity: identity, digestAlgorithm: .sha384).signSynchronously(fileAt: file.path)
        }
        let refused = try runVanThu(["sign", file.path, "--key", key, "--cert", cert, "--digest", "sha512"])
        #expect(refused.status == 3)
        #expect(refused.stderr == "vanthu: The RSA-PSS key may only sign with SHA-256, not SHA-512: choose that digest.\n")
        #expect(!FileManager.default.fileExists(atPath: file.path + ".p7s"))

        let signed = try runVanThu(["sign", file.path, "--key", key, "--cert", cert, "--chain", pki.issuingCA])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(try fixtures.opensslVerifies(signature: file.path + ".p7s", content: file.path))
    }
    /// A key restricted to MGF1 with SHA-1 (OpenSSL's default) but SHA-256 as its hash cannot
    /// make the one form of PSS VanThu signs (the same digest for both): one sentence says so.
    @Test func restrictedRSAPSSKeyWithAnotherMGF1HashIsRefusedClearly() throws {
        let fixtures = try KeysFixtures("pss-mgf1")
        let (key, cert) = try fixtures.issue("pss", subject: person, key: ["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048",
                                                                           "-pkeyopt", "rsa_pss_keygen_md:sha256",
                                                                           "-pkeyopt", "rsa_pss_keygen_mgf1_md:sha1"])
        let file = try fixtures.document()
        let sentence = "The RSA-PSS key's restrictions do not allow SHA-256 as both hash and MGF1 hash with a salt of 32 bytes, the only form of PSS VanThu signs."
        let identity = try SigningIdentity(keyFile: key, certificateFile: cert, chainFile: pki.issuingCA)
        #expect(throws: SigningError(.unsupportedAlgorithm, sentence)) {
            try CAdESSigner(identity: identity).signSynchronously(fileAt: file.path)
        }
        let refused = try runVanThu(["sign", file.path, "--key", key, "--cert", cert])
        #expect(refused.status == 3)
        #expect(refused.stderr == "vanthu: \(sentence)\n")
        #expect(!FileManager.default.fileExists(atPath: file.path + ".p7s"))
    }
}
