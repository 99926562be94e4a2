import Foundation
import Testing
@testable import VanThuSigning

/// What the report and `cert show` print for odd names, odd dates and odd input (review r1 of
/// the human-facing output): every name visible, dates proleptic Gregorian with four-digit
/// years, unusable input named in one sentence.
@Suite struct DisplayReviewTests {
    let pki = TestPKI.shared

    // MARK: - F1: --at outside what RFC 3339 and OpenSSL can hold

    @Test func atOutsideYearsOneToNineThousandNineHundredNinetyNineIsRefused() throws {
        let fixtures = try KeysFixtures("at-range")
        let file = try fixtures.document()
        let signed = try runVanThu(pki.clientSignArguments(file.path, out: file.path + ".p7s"), environment: TestPKI.clientEnvironment)
        #expect(signed.status == 0, "\(signed.stderr)")
        for at in ["9999-12-31T23:00:00-23:59", "9999-12-31T23:59:59-00:01", "0001-01-01T00:00:00+07:00", "0001-01-01"] {
            let result = try runVanThu(["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory, "--at", at, "--json"])
            #expect(result.status == 3, "\(at)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr == "vanthu: The time \(at) is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z once converted to UTC.\n")
        }
        // The very edges are times like any other: the certificate is not valid then.
        for at in ["9999-12-31T23:59:59Z", "0001-01-01T07:00:00+07:00", "0001-01-02"] {
            let result = try runVanThu(["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory, "--at", at, "--json"])
            #expect(result.status == 2, "\(at): \(result.stderr)")
            #expect(try ValidationReport.decode(json: result.stdout).subIndication == .outOfBoundsNoPOE)
        }
    }

    // MARK: - F2: proleptic Gregorian dates, four-digit years

    @Test func reportDatesAreProlepticGregorianWithFourDigitYears() throws {
        let cases: [(String, String, String)] = [
            ("1582-10-10T00:00:00+07:00", "1582-10-09T17:00:00Z", "1582-10-10T00:00:00+07:00"),
            ("0001-01-01T07:00:00+07:00", "0001-01-01T00:00:00Z", "0001-01-01T07:00:00+07:00"),
            ("0999-12-31T23:59:59Z", "0999-12-31T23:59:59Z", "1000-01-01T06:59:59+07:00"),
            ("1000-01-01T00:00:00Z", "1000-01-01T00:00:00Z", "1000-01-01T07:00:00+07:00"),
            // RFC 5280's "no well-defined expiration": no five-digit year in Vietnam time either.
            ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
            ("2026-03-01T08:00:00+07:00", "2026-03-01T01:00:00Z", "2026-03-01T08:00:00+07:00"),
        ]
        for (input, utc, vietnam) in cases {
            let date = try #require(ReportDate.parse(input), "\(input)")
            #expect(ReportDate.utc(date) == utc)
            #expect(ReportDate.text(date) == vietnam)
            #expect(ReportDate.parse(utc) == date)
        }
        #expect(ReportDate.parse("2026-02-30T00:00:00Z") == nil)
        #expect(ReportDate.parse("2026-03-01 08:00:00Z") == nil)
    }

    @Test func jsonAndTextAgreeOnDatesBefore1582AndValidateAgainstTheSchema() throws {
        let fixtures = try KeysFixtures("julian")
        let file = try fixtures.document()
        let signed = try runVanThu(pki.clientSignArguments(file.path, out: file.path + ".p7s"), environment: TestPKI.clientEnvironment)
        #expect(signed.status == 0, "\(signed.stderr)")
        let schemaURL = TestPKI.repositoryRoot.appendingPathComponent("Schemas/validation-report.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
        for (at, utc, vietnam) in [("1582-10-10", "1582-10-09T17:00:00Z", "1582-10-10T00:00:00+07:00"),
                                   ("0001-01-01T07:00:00+07:00", "0001-01-01T00:00:00Z", "0001-01-01T07:00:00+07:00")] {
            let arguments = ["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory, "--at", at]
            let json = try runVanThu(arguments + ["--json"])
            #expect(json.output.contains("\"validationTime\" : \"\(utc)\""), "\(json.output)")
            let object = try JSONSerialization.jsonObject(with: json.stdout)
            let problems = SchemaCheck(root: schema).problems(object, schema, path: "$")
            #expect(problems.isEmpty, "\(problems)")
            #expect(try ValidationReport.decode(json: json.stdout).validationTime == ReportDate.parse(utc))
            let text = try runVanThu(arguments)
            #expect(text.output.contains("\nValidated at: \(vietnam)\n"), "\(text.output)")
        }
    }

    @Test func certShowWritesProlepticGregorianDates() throws {
        let crafted = try CraftedCertificates("old-dates")
        let path = try crafted.write("old", subject: [[(CraftedCertificates.cn, .utf8("Trước Năm 1582"))]],
                                     notBefore: "10000101000000Z", notAfter: "99991231235959Z")
        let shown = try runVanThu(["cert", "show", path])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.output.contains("  Valid from: 1000-01-01T07:00:00+07:00\n"), "\(shown.output)")
        #expect(shown.output.contains("  Valid until: 9999-12-31T23:59:59Z (valid now)\n"), "\(shown.output)")
        let notBefore = try Certificate.load(contentsOf: path)[0].notBefore
        let report = ValidationReport(validationTime: notBefore, policy: PolicySummary(name: "p", description: "d"),
                                      document: nil, signatures: [])
        #expect(String(decoding: try report.json(), as: UTF8.self).contains("\"validationTime\" : \"1000-01-01T00:00:00Z\""))
    }

    // MARK: - F3, F5: values as RFC 4514 #hex, multi-valued RDNs

    @Test func valuesOpenSSLCannotConvertAreShownAsHex() throws {
        let crafted = try CraftedCertificates("hex")
        // A CN that is a SEQUENCE holding a UTF8String, a UID that is a BIT STRING.
        let sequence = CraftedCertificates.tlv(0x30, CraftedCertificates.tlv(0x0c, Array("x".utf8)))
        let path = try crafted.write("odd", subject: [
            [(CraftedCertificates.c, .printable("VN"))],
            [(CraftedCertificates.o, .utf8("Sở GD"))],
            [(CraftedCertificates.cn, .raw(sequence))],
            [(CraftedCertificates.uid, .raw([0x03, 0x02, 0x00, 0xAB]))],
        ])
        let certificate = try Certificate.load(contentsOf: path)[0]
        #expect(certificate.subject.description == "UID=#030200ab, CN=#30030c0178, O=Sở GD, C=VN")
        #expect(certificate.subject.attributes.map(\.value) == ["VN", "Sở GD", "#30030c0178", "#030200ab"])
        #expect(certificate.subject.commonName == "#30030c0178")
        let shown = try runVanThu(["cert", "show", path])
        #expect(shown.output.hasPrefix("Certificate: #30030c0178\n"), "\(shown.output)")
        #expect(shown.output.contains("  Name (CN): #30030c0178\n"))
        #expect(shown.output.contains("  User ID (UID): #030200ab\n"))
        // A literal value that starts with # is escaped, so the two cannot be confused.
        let literal = try crafted.write("literal", subject: [[(CraftedCertificates.cn, .utf8("#30030c0178"))]])
        #expect(try Certificate.load(contentsOf: literal)[0].subject.description == "CN=\\#30030c0178")
    }

    /// UTF-8 bytes in a TeletexString or PrintableString (a mistake some CAs make) are read as
    /// UTF-8, not as OpenSSL's Latin-1 mojibake; Latin-1 text that is not valid UTF-8 stays Latin-1.
    @Test func utf8BytesInTeletexOrPrintableStringsAreReadAsUTF8() throws {
        let crafted = try CraftedCertificates("t61-utf8")
        let name = "Nguyễn Văn Hùng"
        let path = try crafted.write("t61", subject: [
            [(CraftedCertificates.c, .printable("VN"))],
            [(CraftedCertificates.o, .raw(CraftedCertificates.tlv(0x13, Array("Sở GD".utf8))))],
            [(CraftedCertificates.cn, .raw(CraftedCertificates.tlv(0x14, Array(name.utf8))))],
        ])
        let certificate = try Certificate.load(contentsOf: path)[0]
        #expect(certificate.subject.commonName == name)
        #expect(certificate.subject.organization == "Sở GD")
        let latin1 = try crafted.write("latin1", subject: [[(CraftedCertificates.cn, .raw(CraftedCertificates.tlv(0x14, [0x4a, 0xfc, 0x72, 0x67, 0x65, 0x6e])))]])
        #expect(try Certificate.load(contentsOf: latin1)[0].subject.commonName == "Jürgen")
    }

    @Test func multiValuedRDNsAreJoinedWithPlusAndUnknownTypesAreHex() throws {
        let crafted = try CraftedCertificates("rdn")
        let path = try crafted.write("multi", subject: [
            [(CraftedCertificates.c, .printable("VN"))],
            [(CraftedCertificates.o, .utf8("Sở GD"))],
            [(CraftedCertificates.cn, .utf8("Lê Quang Huy")), (CraftedCertificates.uid, .utf8("CMND:012345678"))],
            [("1.3.6.1.4.1.99999.1.2", .utf8("Giá trị lạ"))],
        ])
        let subject = try Certificate.load(contentsOf: path)[0].subject
        let unknownHex = "#0c" + String(format: "%02x", Array("Giá trị lạ".utf8).count) + Array("Giá trị lạ".utf8).hexString
        #expect(subject.description == "1.3.6.1.4.1.99999.1.2=\(unknownHex), CN=Lê Quang Huy+UID=CMND:012345678, O=Sở GD, C=VN")
        #expect(subject.attributes.last?.value == unknownHex)
        #expect(subject.commonName == "Lê Quang Huy")
        // The same attributes in separate RDNs are another name, printed another way.
        let separate = try crafted.write("separate", subject: [
            [(CraftedCertificates.c, .printable("VN"))],
            [(CraftedCertificates.o, .utf8("Sở GD"))],
            [(CraftedCertificates.cn, .utf8("Lê Quang Huy"))], [(CraftedCertificates.uid, .utf8("CMND:012345678"))],
        ])
        let other = try Certificate.load(contentsOf: separate)[0].subject
        #expect(other.description == "UID=CMND:012345678, CN=Lê Quang Huy, O=Sở GD, C=VN")
        #expect(other != subject)
        // Coding keeps the grouping.
        let decoded = try JSONDecoder().decode(DistinguishedName.self, from: JSONEncoder().encode(subject))
        #expect(decoded == subject && decoded.description == subject.description)
    }

    // MARK: - F4, F7, F6: every certificate is named, by its most specific name

    @Test func signersWithoutACommonNameAreStillNamed() throws {
        let crafted = try CraftedCertificates("no-name")
        let email = "van.thu@sogd.thanhhoa.gov.vn"
        let cases: [(String, [[(String, CraftedCertificates.Value)]], String)] = [
            ("empty-subject", [], "email:\(email)"),
            ("empty-cn", [[(CraftedCertificates.c, .printable("VN"))], [(CraftedCertificates.o, .utf8("Sở GD"))],
                          [(CraftedCertificates.cn, .utf8(""))]], "Sở GD"),
            ("two-cn", [[(CraftedCertificates.c, .printable("VN"))], [(CraftedCertificates.cn, .utf8("Sở Giáo dục và Đào tạo"))],
                        [(CraftedCertificates.cn, .utf8("Vũ Thị Hoa"))]], "Vũ Thị Hoa"),
        ]
        for (name, subject, expected) in cases {
            let (key, cert) = try crafted.issue(name, subject: subject, email: email)
            let certificate = try Certificate.load(contentsOf: cert)[0]
            #expect(certificate.displayName == expected)
            let file = try crafted.fixtures.document()
            let signed = try runVanThu(["sign", file.path, "--key", key, "--cert", cert, "--chain", pki.issuingCA])
            #expect(signed.status == 0, "\(signed.stderr)")
            let verified = try runVanThu(["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory])
            #expect(verified.status == 0, "\(name): \(verified.output)")
            #expect(verified.output.contains("\n  Signer: \(expected)\n"), "\(verified.output)")
            #expect(verified.output.contains("The signer's certificate was found: \(expected).\n"))
            #expect(verified.output.contains("\n    - \(expected), valid "))
            #expect(verified.output.contains("\n    - \(expected): GOOD: "), "\(verified.output)")
            let shown = try runVanThu(["cert", "show", cert])
            #expect(shown.output.hasPrefix("Certificate: \(expected)\n"), "\(shown.output)")
            let json = try runVanThu(["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory, "--json"])
            let signer = try #require(try ValidationReport.decode(json: json.stdout).signatures.first?.signer)
            #expect(signer.commonName == (name == "two-cn" ? "Vũ Thị Hoa" : nil))
        }
        // Nothing at all: the serial number.
        let (_, bare) = try crafted.issue("bare", subject: [], email: nil)
        let certificate = try Certificate.load(contentsOf: bare)[0]
        #expect(certificate.displayName == "(no name) serial \(certificate.serialNumber)")
    }

    @Test func revocationLinesUseTheChainLinesNames() throws {
        let file = try KeysFixtures("revocation-names").document()
        let signature = try CAdESSigner(identity: pki.identity("tung.dv")).signSynchronously(fileAt: file.path)
        let report = try SignatureValidator(trustStore: pki.trustStore()).validateSynchronously(signature: signature, contentAt: file.path)
        let chainNames = report.signatures[0].chain.map(\.displayName)
        let revocationLines = report.text.split(separator: "\n").drop { $0 != "  Revocation:" }.dropFirst()
            .prefix { $0.hasPrefix("    - ") }
        #expect(!revocationLines.isEmpty)
        #expect(revocationLines.first?.hasPrefix("    - \(chainNames[0]): REVOKED: ") == true, "\(report.text)")
        for line in revocationLines {
            #expect(!line.contains("UID="), "\(line)")
            #expect(chainNames.contains { line.hasPrefix("    - \($0): ") }, "\(line)")
        }
    }

    // MARK: - F8: invisible and bidirectional marks

    @Test func bidiMarksAndInvisibleCharactersAreEscaped() {
        for scalar in [0x200E, 0x200F, 0x061C, 0x200B, 0xFEFF, 0x2060, 0x202E, 0x2067] {
            let name = "Vũ\(Character(Unicode.Scalar(scalar)!))Hoa"
            #expect(name.escapingControlCharacters == "Vũ\\u{\(String(scalar, radix: 16, uppercase: true))}Hoa")
        }
        // The joiners some scripts need to spell names are kept.
        #expect("می\u{200C}خواهم".escapingControlCharacters == "می\u{200C}خواهم")
        #expect("Nguyễn Văn Hùng".escapingControlCharacters == "Nguyễn Văn Hùng")
    }

    // MARK: - F10: DSA named as such

    @Test func dsaKeysAreNamedAndRefusedAsDSA() throws {
        let fixtures = try KeysFixtures("dsa")
        let parameters = fixtures.path("dsa.param")
        try openssl(["genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:2048", "-out", parameters])
        let key = fixtures.path("dsa.key")
        try openssl(["genpkey", "-quiet", "-paramfile", parameters, "-out", key])
        try fixtures.issue("dsa", subject: "/C=VN/CN=Khóa DSA", existingKey: key)
        let cert = fixtures.path("dsa.pem")
        #expect(try Certificate.load(contentsOf: cert)[0].publicKey.description == "DSA-2048")
        #expect(try runVanThu(["cert", "show", cert]).output.contains("  Public key: DSA-2048\n"))
        let file = try fixtures.document()
        try openssl(["cms", "-sign", "-binary", "-in", file.path, "-signer", cert, "-inkey", key, "-md", "sha256",
                     "-outform", "DER", "-out", file.path + ".p7s"])
        let report = try SignatureValidator(trustStore: pki.trustStore(withIntermediate: true))
            .validateSynchronously(signature: bytes(URL(fileURLWithPath: file.path + ".p7s")), contentAt: file.path)
        #expect(report.subIndication == .cryptoConstraintsFailure)
        let reason = try #require(report.signatures[0].checks.first { $0.id == "cryptographic-constraints" }?.reason)
        #expect(reason.contains("the signer's certificate has a DSA-2048 key, and the policy does not accept DSA"), "\(reason)")
        #expect(report.signatures[0].signer?.publicKey == "DSA-2048")
    }

    // MARK: - F11: DER input read whole

    @Test func certShowReadsEveryConcatenatedDERCertificateAndRefusesTrailingData() throws {
        let directory = try temporaryDirectory("der-trailing")
        let first = try Certificate.load(contentsOf: pki.cert("hung.nv"))[0]
        let second = try Certificate.load(contentsOf: pki.cert("lan.tt"))[0]
        let both = directory.appendingPathComponent("both.der")
        try Data(first.der + second.der).write(to: both)
        let shown = try runVanThu(["cert", "show", both.path])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.output.hasPrefix("Certificate: Nguyễn Văn Hùng\n"))
        #expect(shown.output.contains("\nCertificate: Trần Thị Lan\n"), "\(shown.output)")
        #expect(try Certificate.parseAll(first.der + second.der) == [first, second])

        let garbage = directory.appendingPathComponent("garbage.der")
        try Data(first.der + Array("rác".utf8)).write(to: garbage)
        let refused = try runVanThu(["cert", "show", garbage.path])
        #expect(refused.status == 3)
        #expect(refused.output.isEmpty)
        #expect(refused.stderr == "vanthu: The certificate file \(garbage.path) cannot be used: the 4 bytes after DER certificate 1 are not a certificate.\n")
        #expect(throws: SigningError.self) { try Certificate(der: first.der + [0]) }
    }

    // MARK: - F13: file names that are not UTF-8

    @Test func argumentsThatAreNotUTF8AreNamedAsSuch() throws {
        let directory = try temporaryDirectory("latin1")
        try write("Công văn", to: directory.appendingPathComponent("plain.txt"))
        // "Công văn.txt" in Latin-1 (ô = F4, ă has no Latin-1 form: ã = E3 stands in).
        let script = """
            cd "$DIR" && cp plain.txt "$(printf 'C\\364ng v\\343n.txt')" && \
            exec "$VANTHU" verify "$(printf 'C\\364ng v\\343n.txt')" --signature x.p7s --trust "$TRUST"
            """
        let result = try runProcess("/bin/bash", ["-c", script],
                                    environment: ["DIR": directory.path, "VANTHU": try vanthuExecutable(), "TRUST": pki.trustDirectory])
        #expect(result.status == 3)
        #expect(result.stderr == "vanthu: The argument C\u{FFFD}ng v\u{FFFD}n.txt is not valid UTF-8 (the bytes shown as \u{FFFD}), so vanthu cannot use it; give the file a UTF-8 name.\n")
    }

    // MARK: - F14: unusable files named

    @Test func unusableInputSentencesNameTheFile() throws {
        let fixtures = try KeysFixtures("naming")
        let file = try fixtures.document()
        let signed = try runVanThu(pki.clientSignArguments(file.path, out: file.path + ".p7s"), environment: TestPKI.clientEnvironment)
        #expect(signed.status == 0, "\(signed.stderr)")
        let notes = fixtures.path("ghi-chú.txt")
        try write("Ghi chú cuộc họp", to: URL(fileURLWithPath: notes))
        let verify = ["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory]
        let cases: [([String], String)] = [
            (verify + ["--untrusted", pki.issuingCA, "--untrusted", notes],
             "The certificate file \(notes) cannot be used: the text holds no PEM certificate."),
            (verify + ["--crl", pki.issuingCRL, "--crl", pki.cert("hung.nv")],
             "The CRL file \(pki.cert("hung.nv")) cannot be used: the file holds a certificate, not a CRL."),
            (["cert", "show", notes], "The certificate file \(notes) cannot be used: the text holds no PEM certificate."),
        ]
        for (arguments, sentence) in cases {
            let result = try runVanThu(arguments)
            #expect(result.status == 3, "\(arguments)")
            #expect(result.stderr == "vanthu: \(sentence)\n")
        }
        // A damaged PEM block in a trust directory names its file too.
        let trust = try temporaryDirectory("naming-trust")
        try FileManager.default.copyItem(atPath: pki.rootCertificate, toPath: trust.appendingPathComponent("root.pem").path)
        let damaged = trust.appendingPathComponent("hong.pem")
        try write("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", to: damaged)
        let result = try runVanThu(["verify", file.path, "--signature", file.path + ".p7s", "--trust", trust.path])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("vanthu: The trust file \(damaged.path) cannot be used: "), "\(result.stderr)")
    }
}

/// Certificates with encodings `openssl req` will not write (empty values, values that are no
/// string, any grouping of RDNs, any dates), built byte by byte and signed by the dev issuing CA
/// with `openssl dgst`.
struct CraftedCertificates {
    static let c = "2.5.4.6", o = "2.5.4.10", cn = "2.5.4.3", uid = "0.9.2342.19200300.100.1.1"

    enum Value {
        case utf8(String), printable(String), raw([UInt8])
        var der: [UInt8] {
            switch self {
            case .utf8(let text): CraftedCertificates.tlv(0x0c, Array(text.utf8))
            case .printable(let text): CraftedCertificates.tlv(0x13, Array(text.utf8))
            case .raw(let der): der
            }
        }
    }

    let fixtures: KeysFixtures
    init(_ name: String) throws { fixtures = try KeysFixtures("crafted-\(name)") }

    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var out = [tag]
        if content.count < 0x80 {
            out.append(UInt8(content.count))
        } else {
            let length = withUnsafeBytes(of: UInt32(content.count).bigEndian, Array.init).drop { $0 == 0 }
            out.append(0x80 | UInt8(length.count))
            out += length
        }
        return out + content
    }

    static func oid(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").map { Int($0)! }
        var content = [UInt8(arcs[0] * 40 + arcs[1])]
        for arc in arcs.dropFirst(2) {
            var groups = [UInt8(arc & 0x7f)]
            var rest = arc >> 7
            while rest > 0 { groups.insert(UInt8(rest & 0x7f) | 0x80, at: 0); rest >>= 7 }
            content += groups
        }
        return tlv(0x06, content)
    }

    static func name(_ rdns: [[(String, Value)]]) -> [UInt8] {
        tlv(0x30, rdns.flatMap { rdn in tlv(0x31, rdn.flatMap { tlv(0x30, oid($0.0) + $0.1.der) }) })
    }

    /// A signed certificate for a new P-256 key; returns the key and certificate paths.
    func issue(_ name: String, subject: [[(String, Value)]], email: String?) throws -> (key: String, cert: String) {
        let key = fixtures.path("\(name).key")
        try openssl(["genpkey", "-quiet", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
        let publicKey = try openssl(["pkey", "-in", key, "-pubout", "-outform", "DER"]).stdout
        return (key, try write(name, subject: subject, publicKey: [UInt8](publicKey), email: email))
    }

    /// A certificate with the given subject and dates (GeneralizedTime), for any key.
    @discardableResult
    func write(_ name: String, subject: [[(String, Value)]], notBefore: String? = nil, notAfter: String? = nil,
               publicKey: [UInt8]? = nil, email: String? = nil) throws -> String {
        let spki: [UInt8]
        if let publicKey {
            spki = publicKey
        } else {
            let key = fixtures.path("\(name).key")
            try openssl(["genpkey", "-quiet", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
            spki = [UInt8](try openssl(["pkey", "-in", key, "-pubout", "-outform", "DER"]).stdout)
        }
        let ca = try Certificate.load(contentsOf: fixtures.pki.issuingCA)[0]
        let caTBS = try #require(DER.children(ca.der, of: DER.element(ca.der, at: 0, end: ca.der.count)!.value)?.first)
        let caFields = try #require(DER.children(ca.der, of: caTBS.value))
        let issuer = Array(ca.der[caFields[5].whole])
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMddHHmmss'Z'"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let now = Date()
        let start = notBefore ?? formatter.string(from: now.addingTimeInterval(-3600))
        let end = notAfter ?? formatter.string(from: now.addingTimeInterval(30 * 86_400))
        var extensions = Self.tlv(0x30, Self.oid("2.5.29.15") + Self.tlv(0x01, [0xff]) + Self.tlv(0x04, Self.tlv(0x03, [0x06, 0xc0])))
        if let email {
            // Critical, as RFC 5280 wants it when the subject is empty.
            extensions += Self.tlv(0x30, Self.oid("2.5.29.17") + Self.tlv(0x01, [0xff])
                                   + Self.tlv(0x04, Self.tlv(0x30, Self.tlv(0x81, Array(email.utf8)))))
        }
        let algorithm = Self.tlv(0x30, Self.oid("1.2.840.113549.1.1.11") + [0x05, 0x00])
        let serial = Self.tlv(0x02, [0x40] + (0..<15).map { _ in UInt8.random(in: 0...255) })
        let tbs = Self.tlv(0x30, Self.tlv(0xa0, Self.tlv(0x02, [0x02])) + serial + algorithm + issuer
                           + Self.tlv(0x30, Self.tlv(0x18, Array(start.utf8)) + Self.tlv(0x18, Array(end.utf8)))
                           + Self.name(subject) + spki + Self.tlv(0xa3, Self.tlv(0x30, extensions)))
        let tbsPath = fixtures.path("\(name).tbs")
        try Data(tbs).write(to: URL(fileURLWithPath: tbsPath))
        let signature = try openssl(["dgst", "-sha256", "-sign", fixtures.pki.path("ca/ca.key"), tbsPath]).stdout
        let certificate = Self.tlv(0x30, tbs + algorithm + Self.tlv(0x03, [0x00] + [UInt8](signature)))
        let path = fixtures.path("\(name).pem")
        try Data(try Certificate(der: certificate).pem.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
