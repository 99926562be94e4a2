import Foundation
import Testing
@testable import VanThuSigning

/// A small PKI of its own (root → issuing CA → signer), made with `openssl ca` so that each
/// test can issue the CRLs and certificates an adversary or an unusual CA would: delta and
/// partitioned CRLs, unknown critical extensions, suspended certificates, CRLs of one date,
/// renewed CA certificates, decoy certificates.
private struct CraftedPKI {
    let directory: URL
    var document: URL { directory.appendingPathComponent("to-trinh.txt") }
    private(set) var signature: [UInt8] = []

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    init(_ name: String) throws {
        directory = try temporaryDirectory(name)
        try write(Self.configuration(directory.path), to: directory.appendingPathComponent("ca.cnf"))
        try write("", to: directory.appendingPathComponent("root-index.txt"))
        try write("", to: directory.appendingPathComponent("ica-index.txt"))
        for name in ["other", "ica2"] { try write("", to: directory.appendingPathComponent("\(name)-index.txt")) }
        try write("1000\n", to: directory.appendingPathComponent("crlnumber"))
        let root = directory.path + "/root"
        try openssl(["req", "-x509", "-new", "-utf8", "-newkey", "rsa:2048", "-nodes", "-keyout", root + ".key",
                     "-subj", "/C=VN/CN=Gốc Thử Nghiệm", "-days", "3650", "-config", path("ca.cnf"), "-extensions", "v3_root",
                     "-set_serial", "1", "-out", root + ".pem"])
        try Self.request(directory.path + "/ica", subject: "/C=VN/CN=CA Cấp Dưới Thử Nghiệm")
        try issue("ica", by: "root", extensions: "v3_ca", start: "20200101000000Z", end: "20401231235959Z")
        try Self.request(directory.path + "/leaf", subject: "/C=VN/CN=Người Ký Thử Nghiệm")
        try issue("leaf", by: "ica", extensions: "v3_signer", start: "20250101000000Z", end: "20391231235959Z")
        try FileManager.default.createDirectory(atPath: path("trust"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path("root.pem"), toPath: path("trust/root.pem"))
        try crl("root", out: "trust/root.crl.pem")
        try write("Tờ trình số 12/TTr-SGDĐT", to: document)
        signature = try sign(extraCertificates: [path("ica.pem")])
    }

    static func request(_ base: String, subject: String, key: [String] = ["-newkey", "rsa:2048"]) throws {
        try openssl(["req", "-new", "-utf8"] + key + ["-nodes", "-keyout", base + ".key", "-subj", subject, "-out", base + ".csr"])
    }

    /// Issues NAME.csr with ISSUER's key into NAME.pem (OUT.pem when given).
    func issue(_ name: String, by issuer: String, extensions: String, start: String, end: String, out: String? = nil) throws {
        try openssl(["ca", "-batch", "-notext", "-utf8", "-config", path("ca.cnf"), "-name", issuer,
                     "-extensions", extensions, "-startdate", start, "-enddate", end,
                     "-in", path("\(name).csr"), "-out", path("\(out ?? name).pem")])
    }

    /// A CRL from `issuer` (its database's revocations) with extra options and extensions.
    func crl(_ issuer: String, out: String, extensions: String? = nil, options: [String] = []) throws {
        var arguments = ["ca", "-batch", "-gencrl", "-config", path("ca.cnf"), "-name", issuer, "-out", path(out)] + options
        if let extensions { arguments += ["-crlexts", extensions] }
        try openssl(arguments)
    }

    func revoke(_ name: String, by issuer: String, _ how: [String] = ["-crl_reason", "keyCompromise"]) throws {
        try openssl(["ca", "-batch", "-config", path("ca.cnf"), "-name", issuer, "-revoke", path("\(name).pem")] + how)
    }

    func sign(extraCertificates: [String], signer: String = "leaf", cades: Bool = true) throws -> [UInt8] {
        let out = directory.appendingPathComponent("sig-\(UUID().uuidString).p7s")
        var arguments = ["cms", "-sign", "-binary"] + (cades ? ["-cades"] : []) + ["-md", "sha256", "-in", document.path,
                         "-signer", path("\(signer).pem"), "-inkey", path("\(signer).key"), "-outform", "DER", "-out", out.path]
        if !extraCertificates.isEmpty {
            let bundle = directory.appendingPathComponent("extra-\(UUID().uuidString).pem")
            try Data(extraCertificates.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }.joined()).write(to: bundle)
            arguments += ["-certfile", bundle.path]
        }
        try openssl(arguments)
        return try bytes(out)
    }

    func validate(signature: [UInt8]? = nil, trust: String? = nil, crls: [String] = [], untrusted: [String] = [],
                  policy: ValidationPolicy = .default, at time: Date = Date()) throws -> SignatureReport {
        try validate(with: validator(trust: trust, crls: crls, untrusted: untrusted, policy: policy), signature: signature, at: time)
    }

    func validator(trust: String? = nil, crls: [String] = [], untrusted: [String] = [],
                   policy: ValidationPolicy = .default) throws -> SignatureValidator {
        let store = try TrustStore.load(trustPath: trust ?? path("trust"), untrustedFiles: untrusted.map(path), crlFiles: crls.map(path))
        return SignatureValidator(trustStore: store, policy: policy)
    }

    func validate(with validator: SignatureValidator, signature: [UInt8]? = nil, at time: Date = Date()) throws -> SignatureReport {
        let report = try validator.validateSynchronously(signature: signature ?? self.signature, contentAt: document.path, at: time)
        return try #require(report.signatures.first)
    }

    static func configuration(_ directory: String) -> String {
        func section(_ name: String) -> String {
            """
            [ \(name) ]
            database = \(directory)/\(name)-index.txt
            new_certs_dir = \(directory)
            certificate = \(directory)/\(name).pem
            private_key = \(directory)/\(name).key
            crlnumber = \(directory)/crlnumber
            default_md = sha256
            default_crl_days = 30
            policy = any
            unique_subject = no
            rand_serial = yes
            copy_extensions = none

            """
        }
        return """
        [ req ]
        distinguished_name = dn
        utf8 = yes
        string_mask = utf8only
        [ dn ]
        [ any ]
        countryName = optional
        commonName = supplied
        \(section("root"))\(section("ica"))\(section("other"))\(section("ica2"))
        [ v3_root ]
        basicConstraints = critical, CA:TRUE
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash
        [ v3_ca ]
        basicConstraints = critical, CA:TRUE, pathlen:0
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always
        [ v3_signer ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature, nonRepudiation
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always
        crlDistributionPoints = URI:http://crl.vanthu.test/ica-nguoi-ky.crl
        [ delta ]
        2.5.29.27 = critical, DER:02:02:03:E8
        [ only_ca ]
        issuingDistributionPoint = critical, @only_ca_idp
        [ only_ca_idp ]
        onlyCA = TRUE
        [ only_users ]
        issuingDistributionPoint = critical, @only_users_idp
        [ only_users_idp ]
        onlyuser = TRUE
        [ some_reasons ]
        issuingDistributionPoint = critical, @some_reasons_idp
        [ some_reasons_idp ]
        onlysomereasons = keyCompromise
        [ partition_signers ]
        issuingDistributionPoint = critical, @partition_signers_idp
        [ partition_signers_idp ]
        fullname = URI:http://crl.vanthu.test/ica-nguoi-ky.crl
        [ partition_other ]
        issuingDistributionPoint = critical, @partition_other_idp
        [ partition_other_idp ]
        fullname = URI:http://crl.vanthu.test/ica-khac.crl
        [ v3_signer_elsewhere ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature, nonRepudiation
        authorityKeyIdentifier = keyid:always
        crlDistributionPoints = elsewhere_dp
        [ elsewhere_dp ]
        fullname = URI:http://crl.other.test/indirect.crl
        CRLissuer = dirName:elsewhere_issuer
        [ elsewhere_issuer ]
        CN = Nơi Phát Hành CRL Khác
        [ partition_signers_upper ]
        issuingDistributionPoint = critical, @partition_signers_upper_idp
        [ partition_signers_upper_idp ]
        fullname = URI:HTTP://CRL.VanThu.TEST/ica-nguoi-ky.crl
        [ unknown_critical ]
        1.3.6.1.4.1.99999.1 = critical, DER:05:00
        [ v3_signer_unknown_critical ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature, nonRepudiation
        authorityKeyIdentifier = keyid:always
        1.3.6.1.4.1.99999.1 = critical, DER:05:00
        [ v3_tls_server ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature, keyEncipherment
        authorityKeyIdentifier = keyid:always
        extendedKeyUsage = critical, serverAuth
        [ v3_token_signer ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature, nonRepudiation
        authorityKeyIdentifier = keyid:always
        extendedKeyUsage = clientAuth, emailProtection
        [ v3_document_signer ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature, nonRepudiation
        authorityKeyIdentifier = keyid:always
        extendedKeyUsage = critical, 1.3.6.1.5.5.7.3.36
        [ v3_cross ]
        basicConstraints = critical, CA:TRUE
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always

        """
    }
}

@Suite struct RevocationAndPathTests {
    // MARK: - Which CRLs decide

    @Test func aNewerDeltaOrOutOfScopeOrUnprocessableCRLDoesNotHideARevocation() throws {
        let pki = try CraftedPKI("crl-scope")
        try pki.revoke("leaf", by: "ica")
        try pki.crl("ica", out: "complete.crl", options: ["-crl_lastupdate", "20260101000000Z"])
        #expect(try pki.validate(crls: ["complete.crl"]).subIndication == .revokedNoPOE)
        // Each newer CRL from the same CA omits the signer; none of them may be taken as the
        // newest complete answer. (Their database lists the revocation, so each is made from an
        // index without it.)
        try write("", to: URL(fileURLWithPath: pki.path("ica-index.txt")))
        for (name, extensions) in [("delta", "delta"), ("only-ca", "only_ca"), ("some-reasons", "some_reasons"),
                                   ("partition-other", "partition_other"), ("unknown-critical", "unknown_critical")] {
            try pki.crl("ica", out: "\(name).crl", extensions: extensions)
            let report = try pki.validate(crls: ["complete.crl", "\(name).crl"], policy: .strict)
            #expect(report.indication == .indeterminate, "\(name)")
            #expect(report.subIndication == .revokedNoPOE, "\(name)")
        }
        // A partition that names the signer's distribution point is a complete answer for it.
        try pki.crl("ica", out: "partition-signers.crl", extensions: "partition_signers")
        let partition = try pki.validate(crls: ["partition-signers.crl"], policy: .strict)
        #expect(partition.indication == .totalPassed, "\(partition.checks)")
        #expect(partition.revocation.first?.status == .good)
        // And one that covers only end-entity certificates covers the signer.
        try pki.crl("ica", out: "only-users.crl", extensions: "only_users")
        #expect(try pki.validate(crls: ["only-users.crl"], policy: .strict).indication == .totalPassed)
    }

    @Test func deltaOutOfScopeAndUnprocessableCRLsAloneAreNotCurrentRevocationData() throws {
        let pki = try CraftedPKI("crl-alone")
        for (name, extensions) in [("delta", "delta"), ("only-ca", "only_ca"), ("unknown-critical", "unknown_critical")] {
            try pki.crl("ica", out: "\(name).crl", extensions: extensions)
            let strict = try pki.validate(crls: ["\(name).crl"], policy: .strict)
            #expect(strict.subIndication == .tryLater, "\(name)")
            #expect(strict.revocation.first?.status == .unknown, "\(name)")
            #expect(try pki.validate(crls: ["\(name).crl"]).indication == .totalPassed, "\(name): the default policy warns")
        }
    }

    @Test func ofTwoCRLsOfOneDateTheOneListingTheSignerWinsInEitherOrder() throws {
        let pki = try CraftedPKI("crl-tie")
        try pki.crl("ica", out: "clean.crl", options: ["-crl_lastupdate", "20260601000000Z"])
        try pki.revoke("leaf", by: "ica")
        try pki.crl("ica", out: "listing.crl", options: ["-crl_lastupdate", "20260601000000Z"])
        #expect(try pki.validate(crls: ["clean.crl", "listing.crl"]).subIndication == .revokedNoPOE)
        #expect(try pki.validate(crls: ["listing.crl", "clean.crl"]).subIndication == .revokedNoPOE)
    }

    @Test func aRevocationIsNotUndoneByANewerCRLThatOmitsIt() throws {
        let pki = try CraftedPKI("crl-permanent")
        try pki.revoke("leaf", by: "ica")
        try pki.crl("ica", out: "listing.crl", options: ["-crl_lastupdate", "20260101000000Z"])
        try write("", to: URL(fileURLWithPath: pki.path("ica-index.txt")))
        try pki.crl("ica", out: "newer.crl")
        #expect(try pki.validate(crls: ["newer.crl", "listing.crl"]).subIndication == .revokedNoPOE)
    }

    @Test func aSuspendedCertificateIsTryLaterUnderEveryPolicy() throws {
        let pki = try CraftedPKI("crl-hold")
        try pki.revoke("leaf", by: "ica", ["-crl_hold", "holdInstructionReject"])
        try pki.crl("ica", out: "hold.crl")
        let report = try pki.validate(crls: ["hold.crl"])
        #expect(report.indication == .indeterminate)
        #expect(report.subIndication == .tryLater)
        #expect(report.revocation.first?.status == .unknown)
        #expect(report.checks.first { $0.id == "revocation" }?.reason.contains("suspended (certificateHold)") == true)
    }

    @Test func aCRLSignedWithADigestBelowPolicyIsNotUsed() throws {
        let pki = try CraftedPKI("crl-md5")
        try pki.crl("ica", out: "md5.crl", options: ["-md", "md5"])
        let report = try pki.validate(crls: ["md5.crl"], policy: .strict)
        #expect(report.subIndication == .tryLater)
        #expect(report.checks.first { $0.id == "revocation" }?.reason.contains("below the policy") == true)
    }

    @Test func crlsFarIntoATrustBundleAreRead() throws {
        let pki = try CraftedPKI("crl-bundle")
        try pki.revoke("leaf", by: "ica")
        try pki.crl("ica", out: "ica.crl")
        // Anchors first, then 16 KiB of text (as `openssl crl -text` writes), then the CRLs.
        let filler = String(repeating: "Revoked Certificates: text that PEM readers skip\n", count: 340)
        let bundle = try String(contentsOfFile: pki.path("root.pem"), encoding: .utf8) + filler
            + String(contentsOfFile: pki.path("trust/root.crl.pem"), encoding: .utf8) + String(contentsOfFile: pki.path("ica.crl"), encoding: .utf8)
        try write(bundle, to: URL(fileURLWithPath: pki.path("bundle.pem")))
        #expect(try TrustStore.load(trustPath: pki.path("bundle.pem")).crls.count == 2)
        #expect(try pki.validate(trust: pki.path("bundle.pem")).subIndication == .revokedNoPOE)
    }

    @Test func aHoldInADeltaCRLNewerThanTheCompleteOneSuspends() throws {
        let pki = try CraftedPKI("crl-delta-hold")
        try pki.crl("ica", out: "base.crl", options: ["-crl_lastupdate", "20261101000000Z"])
        try pki.revoke("leaf", by: "ica", ["-crl_hold", "holdInstructionReject"])
        try pki.crl("ica", out: "delta.crl", extensions: "delta")
        let report = try pki.validate(crls: ["base.crl", "delta.crl"], policy: .strict)
        #expect(report.subIndication == .tryLater)
        #expect(report.checks.first { $0.id == "revocation" }?.reason.contains("suspended (certificateHold)") == true)
    }

    @Test func aDeltaCRLThatRemovesAHoldLiftsIt() throws {
        let pki = try CraftedPKI("crl-delta-lift")
        try pki.revoke("leaf", by: "ica", ["-crl_hold", "holdInstructionReject"])
        try pki.crl("ica", out: "base.crl", options: ["-crl_lastupdate", "20261101000000Z"])
        // The CA lifts the hold: its database now says removeFromCRL, which `openssl ca` writes
        // into the next delta CRL as the entry's reason.
        let index = URL(fileURLWithPath: pki.path("ica-index.txt"))
        let held = try String(contentsOf: index, encoding: .utf8)
        #expect(held.contains(",holdInstruction,holdInstructionReject"))
        try write(held.replacingOccurrences(of: ",holdInstruction,holdInstructionReject", with: ",removeFromCRL"), to: index)
        try pki.crl("ica", out: "delta.crl", extensions: "delta")
        let lifted = try pki.validate(crls: ["base.crl", "delta.crl"], policy: .strict)
        #expect(lifted.indication == .totalPassed, "\(lifted.checks)")
        #expect(lifted.revocation.first?.status == .good)
        // Without the delta, or with a complete CRL issued after the delta that holds it again,
        // the hold stands.
        #expect(try pki.validate(crls: ["base.crl"], policy: .strict).subIndication == .tryLater)
        try write(held, to: index)
        try pki.crl("ica", out: "again.crl")
        #expect(try pki.validate(crls: ["base.crl", "delta.crl", "again.crl"], policy: .strict).subIndication == .tryLater)
    }

    /// A warning does not change the result, so the text repeats it under the result line,
    /// where a reader who stops there sees it.
    @Test func warningsAreShownUnderTheResult() throws {
        let pki = try CraftedPKI("warning-text")
        let report = try pki.validator().validateSynchronously(signature: pki.signature, contentAt: pki.document.path)
        #expect(report.indication == .totalPassed)
        let lines = report.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "Result: TOTAL_PASSED")
        #expect(lines[1].hasPrefix("Warning (signature-1, revocation): No current revocation data: Người Ký Thử Nghiệm: no valid CRL from CA Cấp Dưới Thử Nghiệm is known"), "\(report.text)")
        #expect(lines[2].hasPrefix("Document: "))
        // The status itself says it in a sentence of its own.
        #expect(report.signatures.first?.revocation.first?.reason == "No valid CRL from CA Cấp Dưới Thử Nghiệm is known.")
    }

    @Test func aHoldInACRLThatIsNoLongerCurrentIsOnlyMissingData() throws {
        let pki = try CraftedPKI("crl-stale-hold")
        try pki.revoke("leaf", by: "ica", ["-crl_hold", "holdInstructionReject"])
        try pki.crl("ica", out: "stale.crl", options: ["-crl_lastupdate", "20261001000000Z", "-crl_nextupdate", "20261101000000Z"])
        let lenient = try pki.validate(crls: ["stale.crl"])
        #expect(lenient.indication == .totalPassed, "\(lenient.checks)")
        #expect(lenient.checks.first { $0.id == "revocation" }?.result == .warning)
        #expect(try pki.validate(crls: ["stale.crl"], policy: .strict).subIndication == .tryLater)
    }

    @Test func distributionPointURIsMatchWithoutRegardToTheCaseOfSchemeAndHost() throws {
        let pki = try CraftedPKI("crl-uri-case")
        try pki.revoke("leaf", by: "ica")
        try pki.crl("ica", out: "upper.crl", extensions: "partition_signers_upper")
        #expect(try pki.validate(crls: ["upper.crl"]).subIndication == .revokedNoPOE)
    }

    @Test func aCertificateNamingAnotherCRLIssuerIsNotCoveredByItsCAsCRL() throws {
        let pki = try CraftedPKI("crl-issuer-elsewhere")
        try CraftedPKI.request(pki.path("elsewhere"), subject: "/C=VN/CN=Người Ký Nơi Khác")
        try pki.issue("elsewhere", by: "ica", extensions: "v3_signer_elsewhere", start: "20250101000000Z", end: "20391231235959Z")
        try pki.crl("ica", out: "ica.crl")
        let signature = try pki.sign(extraCertificates: [pki.path("ica.pem")], signer: "elsewhere")
        let report = try pki.validate(signature: signature, crls: ["ica.crl"], policy: .strict)
        #expect(report.subIndication == .tryLater)
        #expect(report.checks.first { $0.id == "revocation" }?.reason.contains("names another CRL issuer") == true)
    }

    // MARK: - Which certificates make the path

    @Test func aValidRenewalOfTheCAIsPreferredToAnExpiredOne() throws {
        let pki = try CraftedPKI("path-time")
        // The same CA key and name, certified twice: once long expired, once now.
        try pki.issue("ica", by: "root", extensions: "v3_ca", start: "20180101000000Z", end: "20190101000000Z", out: "ica-expired")
        let signature = try pki.sign(extraCertificates: [pki.path("ica-expired.pem")])
        let report = try pki.validate(signature: signature, untrusted: ["ica.pem"])
        #expect(report.indication == .totalPassed, "\(report.checks)")
        // Without the renewal the expired certificate is all there is.
        #expect(try pki.validate(signature: signature).subIndication == .outOfBoundsNoPOE)
    }

    @Test func theChainEndsAtTheFirstTrustedCertificate() throws {
        let pki = try CraftedPKI("path-anchor")
        try FileManager.default.createDirectory(atPath: pki.path("leaf-trust"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: pki.path("leaf.pem"), toPath: pki.path("leaf-trust/leaf.pem"))
        let report = try pki.validate(trust: pki.path("leaf-trust"))
        #expect(report.indication == .totalPassed, "\(report.checks)")
        #expect(report.chain.count == 1)
        #expect(report.chain.first?.isTrustAnchor == true)
        #expect(report.checks.first { $0.id == "certificate-chain" }?.reason.contains("Người Ký Thử Nghiệm") == true)
    }

    @Test func aValidationTimeBeforeTheCertificateIsOutOfBounds() throws {
        let pki = try CraftedPKI("path-early")
        let report = try pki.validate(at: date("2024-06-01T00:00:00Z"))
        #expect(report.indication == .indeterminate)
        #expect(report.subIndication == .outOfBoundsNoPOE)
    }

    @Test func anAddedCertificateWithTheSignersIssuerAndSerialDoesNotTakeItsPlace() throws {
        let pki = try CraftedPKI("decoy")
        // A decoy: the signer's issuer name and serial number, another (smaller, EC) key, signed
        // by a look-alike CA. Smaller, its DER sorts first in the signature's certificate SET.
        let serial = try openssl(["x509", "-in", pki.path("leaf.pem"), "-noout", "-serial"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        try openssl(["req", "-x509", "-new", "-utf8", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", pki.path("fake-ica.key"), "-subj", "/C=VN/CN=CA Cấp Dưới Thử Nghiệm", "-days", "30",
                     "-out", pki.path("fake-ica.pem")])
        try CraftedPKI.request(pki.path("decoy"), subject: "/C=VN/CN=Người Ký Thử Nghiệm",
                               key: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
        try openssl(["x509", "-req", "-in", pki.path("decoy.csr"), "-CA", pki.path("fake-ica.pem"), "-CAkey", pki.path("fake-ica.key"),
                     "-set_serial", "0x" + serial, "-days", "30", "-out", pki.path("decoy.pem")])
        let leaf = try Certificate.load(contentsOf: pki.path("leaf.pem"))[0]
        for cades in [true, false] {
            // With the ESS attribute it designates the signer; without it, the signer is the
            // candidate whose key verifies the signature value.
            let signature = try pki.sign(extraCertificates: [pki.path("ica.pem"), pki.path("decoy.pem")], cades: cades)
            let report = try pki.validate(signature: signature)
            #expect(report.indication == .totalPassed, "cades \(cades): \(report.checks)")
            #expect(report.signer?.sha256Fingerprint == leaf.sha256Fingerprint)
        }
    }

    @Test func whatIsNotACRLIsNamed() throws {
        let pki = try CraftedPKI("not-crl")
        let certificateDER = try Certificate.load(contentsOf: pki.path("leaf.pem"))[0].der
        let cases: [([UInt8], String)] = [
            ([], "The CRL file is empty."),
            (Array("random text, not PEM".utf8), "The data is not a CRL in PEM or DER form."),
            (try bytes(URL(fileURLWithPath: pki.path("leaf.pem"))), "The file holds a certificate, not a CRL."),
            (certificateDER, "The file holds a certificate, not a CRL."),
            (Array("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n".utf8), "The PEM CRL block is damaged and cannot be read."),
        ]
        for (input, sentence) in cases {
            #expect(throws: SigningError(.malformedInput, sentence)) { try CertificateRevocationList.parseAll(input) }
        }
    }

    @Test func aKeptPathGivesWayWhenAnotherCandidateBecomesValid() throws {
        let pki = try CraftedPKI("path-cache-time")
        // The same CA key and name certified again, valid from tomorrow: today only the first
        // certificate can make the path; from tomorrow the renewal, embedded in the signature, is
        // what a fresh validator takes.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss'Z'"
        let tomorrow = Date().addingTimeInterval(86_400)
        try pki.issue("ica", by: "root", extensions: "v3_ca", start: formatter.string(from: tomorrow), end: "20401231235959Z",
                      out: "ica-renewed")
        let signature = try pki.sign(extraCertificates: [pki.path("ica-renewed.pem")])
        let renewal = try Certificate.load(contentsOf: pki.path("ica-renewed.pem"))[0].sha256Fingerprint
        let shared = try pki.validator(untrusted: ["ica.pem"])
        let today = try pki.validate(with: shared, signature: signature)
        #expect(today.indication == .totalPassed, "\(today.checks)")
        #expect(today.chain.map(\.sha256Fingerprint).contains(renewal) == false)
        let later = tomorrow.addingTimeInterval(86_400)
        let fresh = try pki.validate(signature: signature, untrusted: ["ica.pem"], at: later)
        #expect(fresh.chain.map(\.sha256Fingerprint).contains(renewal))
        let kept = try pki.validate(with: shared, signature: signature, at: later)
        #expect(kept.chain.map(\.sha256Fingerprint) == fresh.chain.map(\.sha256Fingerprint))
        #expect(kept.indication == fresh.indication)
    }

    @Test func aKeptPathIsNotLentToASignatureWithoutItsCertificates() throws {
        let pki = try CraftedPKI("path-cache-candidates")
        let bare = try pki.sign(extraCertificates: [])
        #expect(try pki.validate(signature: bare).subIndication == .noCertificateChainFound)
        let shared = try pki.validator()
        #expect(try pki.validate(with: shared).indication == .totalPassed)
        #expect(try pki.validate(with: shared, signature: bare).subIndication == .noCertificateChainFound)
    }

    // MARK: - Files that are not files

    @Test(.timeLimit(.minutes(1))) func aPipeInATrustDirectoryIsSkipped() throws {
        let pki = try CraftedPKI("fifo-in-trust")
        #expect(mkfifo(pki.path("trust/left-over.fifo"), 0o600) == 0)
        try FileManager.default.createDirectory(atPath: pki.path("trust/old"), withIntermediateDirectories: true)
        let store = try TrustStore.load(trustPath: pki.path("trust"))
        #expect(store.anchors.count == 1)
        #expect(store.crls.count == 1)
        let fifo = pki.path("trust/left-over.fifo")
        #expect(throws: SigningError(.unreadableFile, "The trust path \(fifo) is neither a directory nor a regular file.")) {
            try TrustStore.load(trustPath: fifo)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aPipeOrADirectoryIsRefusedAtOnce() throws {
        let pki = try CraftedPKI("fifo")
        let fifo = pki.path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let validator = SignatureValidator(trustStore: try TrustStore.load(trustPath: pki.path("trust")))
        for (path, sentence) in [(fifo, "is not a regular file (a pipe or a device), which VanThu does not read."),
                                 (pki.path("trust"), "is a directory, not a file.")] {
            #expect(throws: SigningError(.unreadableFile, "The file \(path) \(sentence)")) {
                try validator.validateSynchronously(signature: pki.signature, contentAt: path)
            }
            #expect(throws: SigningError(.unreadableFile, "The file \(path) \(sentence)")) {
                try StreamingDigest.hash(fileAt: path)
            }
        }
        #expect(throws: SigningError(.unreadableFile, "The certificate file \(fifo) is not a regular file (a pipe or a device), which VanThu does not read.")) {
            try Certificate.load(contentsOf: fifo)
        }
    }

    // MARK: - What the signer's certificate may do, and paths through cross-certificates

    /// Issues NAME (a new key) by the issuing CA with EXTENSIONS and signs the document with it.
    private func signer(_ pki: CraftedPKI, _ name: String, extensions: String) throws -> [UInt8] {
        try CraftedPKI.request(pki.path(name), subject: "/C=VN/CN=Người Ký \(name)")
        try pki.issue(name, by: "ica", extensions: extensions, start: "20250101000000Z", end: "20391231235959Z")
        return try pki.sign(extraCertificates: [pki.path("ica.pem")], signer: name)
    }

    @Test func aCertificateWhoseExtendedKeyUsageExcludesDocumentSigningDoesNotPass() throws {
        let pki = try CraftedPKI("eku")
        let server = try pki.validate(signature: signer(pki, "server", extensions: "v3_tls_server"))
        #expect(server.indication == .indeterminate)
        #expect(server.subIndication == .chainConstraintsFailure)
        #expect(server.checks.first { $0.id == "key-usage" }?.reason
            == "The certificate's extended key usage (serverAuth) allows neither document signing, email protection, client authentication nor any purpose.")
        // What Vietnamese CAs put on token certificates, and RFC 9336's documentSigning, pass.
        for (name, extensions) in [("token", "v3_token_signer"), ("document", "v3_document_signer")] {
            let report = try pki.validate(signature: signer(pki, name, extensions: extensions))
            #expect(report.indication == .totalPassed, "\(name): \(report.checks)")
            #expect(report.checks.first { $0.id == "key-usage" }?.reason.contains("extended key usage allows document signatures") == true)
        }
    }

    @Test func anUnprocessedCriticalExtensionIsNamedForTheCertificateThatHasIt() throws {
        let pki = try CraftedPKI("unknown-critical-leaf")
        let report = try pki.validate(signature: signer(pki, "odd", extensions: "v3_signer_unknown_critical"))
        #expect(report.subIndication == .chainConstraintsFailure)
        #expect(report.checks.first { $0.id == "certificate-chain" }?.reason
            == "The chain cannot be accepted: the signer's certificate has a critical extension VanThu does not process.")
    }

    /// Another hierarchy's CA, cross-certified by the trusted root: the path goes through the
    /// cross-certificate whether or not the other root's self-signed certificate is offered too,
    /// and in whichever order.
    @Test func aPathThroughACrossCertificateIsFoundBesideTheOtherRoot() throws {
        let pki = try CraftedPKI("cross")
        try openssl(["req", "-x509", "-new", "-utf8", "-newkey", "rsa:2048", "-nodes", "-keyout", pki.path("other.key"),
                     "-subj", "/C=VN/CN=Gốc Khác", "-days", "3650", "-config", pki.path("ca.cnf"), "-extensions", "v3_root",
                     "-set_serial", "2", "-out", pki.path("other.pem")])
        try openssl(["req", "-new", "-utf8", "-key", pki.path("other.key"), "-subj", "/C=VN/CN=Gốc Khác", "-out", pki.path("cross.csr")])
        try pki.issue("cross", by: "root", extensions: "v3_cross", start: "20200101000000Z", end: "20401231235959Z")
        try CraftedPKI.request(pki.path("ica2"), subject: "/C=VN/CN=CA Cấp Dưới Khác")
        try pki.issue("ica2", by: "other", extensions: "v3_ca", start: "20200101000000Z", end: "20401231235959Z")
        try CraftedPKI.request(pki.path("leaf2"), subject: "/C=VN/CN=Người Ký Qua Chứng Thư Chéo")
        try pki.issue("leaf2", by: "ica2", extensions: "v3_signer", start: "20250101000000Z", end: "20391231235959Z")
        let signature = try pki.sign(extraCertificates: [pki.path("ica2.pem")], signer: "leaf2")
        for untrusted in [["other.pem", "cross.pem"], ["cross.pem", "other.pem"], ["cross.pem"]] {
            let report = try pki.validate(signature: signature, untrusted: untrusted)
            #expect(report.indication == .totalPassed, "\(untrusted): \(report.checks)")
            #expect(report.chain.map(\.commonName) == ["Người Ký Qua Chứng Thư Chéo", "CA Cấp Dưới Khác", "Gốc Khác", "Gốc Thử Nghiệm"])
        }
        // Without the cross-certificate there is no path, and the report says so.
        #expect(try pki.validate(signature: signature, untrusted: ["other.pem"]).subIndication == .noCertificateChainFound)
        // The same certificates embedded in the signature, in both orders.
        for extra in [["other.pem", "cross.pem"], ["cross.pem", "other.pem"]] {
            let embedded = try pki.sign(extraCertificates: [pki.path("ica2.pem")] + extra.map(pki.path), signer: "leaf2")
            #expect(try pki.validate(signature: embedded).indication == .totalPassed, "\(extra)")
        }
    }

    /// `openssl cms -sign -noattr`: a conforming CMS signature the policies do not accept, not a broken one.
    @Test func aSignatureWithoutSignedAttributesIsNotAccepted() throws {
        let pki = try CraftedPKI("noattr")
        let out = pki.path("noattr.p7s")
        try openssl(["cms", "-sign", "-binary", "-noattr", "-md", "sha256", "-in", pki.document.path, "-signer", pki.path("leaf.pem"),
                     "-inkey", pki.path("leaf.key"), "-certfile", pki.path("ica.pem"), "-outform", "DER", "-out", out])
        let report = try pki.validate(signature: bytes(URL(fileURLWithPath: out)))
        #expect(report.indication == .indeterminate)
        #expect(report.subIndication == .sigConstraintsFailure)
        #expect(report.checks.first { $0.id == "signed-attributes" }?.reason.hasPrefix("The signature has no signed attributes: it signs the document directly") == true)
    }
}
