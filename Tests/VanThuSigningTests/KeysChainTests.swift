import COpenSSL
import Foundation
import Testing
@testable import VanThuSigning

/// The certificates embedded next to the signer's: every given certificate that issues one
/// already embedded, not only the first found at each step.
@Suite struct KeysChainTests {
    let pki = TestPKI.shared

    /// A copy of `certificate` with a new serial number, its validity set to `start`...`end`
    /// (GeneralizedTime strings) when given, its issuer name set to `issuer`'s subject when
    /// given, signed with the key in `keyFile`.
    private func reissued(_ certificate: Certificate, issuer: Certificate? = nil, start: String? = nil, end: String? = nil,
                          signedWith keyFile: String) throws -> Certificate {
        guard let copy = X509_dup(certificate.backing.pointer) else { throw TestFailure("X509_dup failed") }
        defer { X509_free(copy) }
        guard let serial = ASN1_INTEGER_new() else { throw TestFailure("ASN1_INTEGER_new failed") }
        defer { ASN1_INTEGER_free(serial) }
        ASN1_INTEGER_set_uint64(serial, UInt64.random(in: 1...UInt64(Int64.max)))
        guard X509_set_serialNumber(copy, serial) == 1 else { throw TestFailure("X509_set_serialNumber failed") }
        if let start, let end {
            guard let notBefore = ASN1_TIME_new(), let notAfter = ASN1_TIME_new() else { throw TestFailure("ASN1_TIME_new failed") }
            defer { ASN1_TIME_free(notBefore); ASN1_TIME_free(notAfter) }
            guard ASN1_TIME_set_string(notBefore, start) == 1, ASN1_TIME_set_string(notAfter, end) == 1,
                  X509_set1_notBefore(copy, notBefore) == 1, X509_set1_notAfter(copy, notAfter) == 1 else {
                throw TestFailure("the validity could not be set")
            }
        }
        if let issuer {
            guard X509_set_issuer_name(copy, X509_get_subject_name(issuer.backing.pointer)) == 1 else {
                throw TestFailure("X509_set_issuer_name failed")
            }
            // The authority key identifier names the new issuer's key.
            let index = X509_get_ext_by_NID(copy, NID_authority_key_identifier, -1)
            if index >= 0 { X509_EXTENSION_free(X509_delete_ext(copy, index)) }
            var context = X509V3_CTX()
            X509V3_set_ctx(&context, issuer.backing.pointer, copy, nil, nil, 0)
            guard let extensionValue = X509V3_EXT_conf_nid(nil, &context, NID_authority_key_identifier, "keyid:always") else {
                throw TestFailure("the authority key identifier could not be made")
            }
            defer { X509_EXTENSION_free(extensionValue) }
            guard X509_add_ext(copy, extensionValue, -1) == 1 else { throw TestFailure("X509_add_ext failed") }
        }
        let key = try PrivateKey(contentsOf: keyFile)
        guard X509_sign(copy, key.backing.pointer, EVP_sha256()) > 0 else { throw TestFailure("X509_sign failed") }
        guard let der = encodeDER({ i2d_X509(copy, $0) }) else { throw TestFailure("i2d_X509 failed") }
        return try Certificate(der: der)
    }

    private func pem(_ certificates: [Certificate]) -> String {
        certificates.map { certificate in
            let base64 = Data(certificate.der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            return "-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n"
        }.joined()
    }

    /// An expired issuing CA certificate (same name and key as the current one) listed first:
    /// both are embedded, and the signature verifies with the current one.
    @Test func renewedIntermediateAfterAnExpiredOneIsEmbedded() throws {
        let fixtures = try KeysFixtures("chain-renewed")
        let current = try Certificate.load(contentsOf: pki.issuingCA)[0]
        let expired = try reissued(current, start: "20200101000000Z", end: "20210101000000Z", signedWith: pki.path("root/root.key"))
        let chain = fixtures.path("expired-first.pem")
        try write(pem([expired, current]), to: URL(fileURLWithPath: chain))
        let identity = try SigningIdentity(keyFile: pki.key("hung.nv"), certificateFile: pki.cert("hung.nv"), chainFile: chain)
        #expect(identity.chain.map(\.der) == [expired.der, current.der])
        let file = try fixtures.document()
        let signature = try CAdESSigner(identity: identity).signSynchronously(fileAt: file.path)
        #expect(signature.firstRange(of: current.der) != nil)
        let report = try SignatureValidator(trustStore: pki.trustStore()).validateSynchronously(signature: signature, contentAt: file.path)
        #expect(report.indication == .totalPassed, "\(report.text)")

        let cli = try runVanThu(["sign", file.path, "--key", pki.key("hung.nv"), "--cert", pki.cert("hung.nv"), "--chain", chain])
        #expect(cli.status == 0, "\(cli.stderr)")
        let verified = try runVanThu(["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory])
        #expect(verified.status == 0, "\(verified.output)")
    }

    /// A cross-certificate for the root (the root's name and key, issued by another root) after
    /// the self-signed root is embedded too, and the other root after it; an unrelated
    /// certificate is not.
    @Test func crossCertificateAfterTheRootIsEmbedded() throws {
        let fixtures = try KeysFixtures("chain-cross")
        let ca = try Certificate.load(contentsOf: pki.issuingCA)[0]
        let root = try Certificate.load(contentsOf: pki.rootCertificate)[0]
        let otherRoot = try Certificate.load(contentsOf: pki.fixtureCert("other-root"))[0]
        let cross = try reissued(root, issuer: otherRoot, signedWith: pki.fixtureKey("other-root"))
        #expect(X509_check_issued(otherRoot.backing.pointer, cross.backing.pointer) == X509_V_OK)
        let unrelated = try Certificate.load(contentsOf: pki.cert("lan.tt"))[0]
        let chain = fixtures.path("cross.pem")
        try write(pem([ca, unrelated, root, cross, otherRoot]), to: URL(fileURLWithPath: chain))
        let identity = try SigningIdentity(keyFile: pki.key("hung.nv"), certificateFile: pki.cert("hung.nv"), chainFile: chain)
        OpenSSLErrorQueue.clear()
        #expect(identity.chain.map(\.der) == [ca.der, root.der, cross.der, otherRoot.der])
        let file = try fixtures.document()
        let signature = try CAdESSigner(identity: identity).signSynchronously(fileAt: file.path)
        #expect(signature.firstRange(of: cross.der) != nil)
        #expect(signature.firstRange(of: unrelated.der) == nil)
        let report = try SignatureValidator(trustStore: pki.trustStore()).validateSynchronously(signature: signature, contentAt: file.path)
        #expect(report.indication == .totalPassed, "\(report.text)")
    }
}
