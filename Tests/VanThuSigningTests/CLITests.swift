import Foundation
import Testing
@testable import VanThuSigning

/// The built `vanthu` binary: exit statuses 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE, 3 unusable input.
@Suite struct CLITests {
    let pki = TestPKI.shared
    let env = ["VANTHU_TEST_P12": TestPKI.passphrase]

    private func document() throws -> URL {
        let file = try temporaryDirectory("cli").appendingPathComponent("ke-hoach.txt")
        try write("Kế hoạch kiểm tra cuối học kỳ I", to: file)
        return file
    }

    private func sign(_ file: URL, as user: String = "huong.pt") throws -> URL {
        let result = try runVanThu(["sign", file.path, "--p12", pki.p12(user), "--passphrase", "env:VANTHU_TEST_P12"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        return file.appendingPathExtension("p7s")
    }

    @Test func signWritesFileDotP7sAndVerifyPasses() throws {
        let file = try document()
        let signature = try sign(file)
        #expect(FileManager.default.fileExists(atPath: signature.path))
        let result = try runVanThu(["verify", file.path, "--signature", signature.path, "--trust", pki.trustDirectory])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("Result: TOTAL_PASSED"))
        #expect(result.output.contains("Signer: Phạm Thị Hương"))
    }

    @Test func changedDocumentExitsOne() throws {
        let file = try document()
        let signature = try sign(file)
        try write("Kế hoạch kiểm tra cuối học kỳ II", to: file)
        let result = try runVanThu(["verify", file.path, "--signature", signature.path, "--trust", pki.trustDirectory, "--json"])
        #expect(result.status == 1)
        #expect(try ValidationReport.decode(json: result.stdout).subIndication == .hashFailure)
    }

    @Test func garbageSignatureExitsOneWithFormatFailure() throws {
        let file = try document()
        let garbage = file.deletingLastPathComponent().appendingPathComponent("garbage.p7s")
        try write("this is not a signature", to: garbage)
        let result = try runVanThu(["verify", file.path, "--signature", garbage.path, "--trust", pki.trustDirectory])
        #expect(result.status == 1)
        #expect(result.output.contains("TOTAL_FAILED / FORMAT_FAILURE"))
    }

    @Test func revokedSignerExitsTwo() throws {
        let file = try document()
        let signature = try sign(file, as: "tung.dv")
        let result = try runVanThu(["verify", file.path, "--signature", signature.path, "--trust", pki.trustDirectory])
        #expect(result.status == 2)
        #expect(result.output.contains("INDETERMINATE / REVOKED_NO_POE"))
    }

    @Test func atAndStrictPolicyAndCRLOptions() throws {
        let file = try document()
        let signature = try sign(file)
        let expired = try runVanThu(["verify", file.path, "--signature", signature.path, "--trust", pki.trustDirectory,
                                     "--at", "2031-06-01T08:00:00+07:00", "--json"])
        #expect(expired.status == 2)
        #expect(try ValidationReport.decode(json: expired.stdout).subIndication == .outOfBoundsNoPOE)
        let noCRL = try runVanThu(["verify", file.path, "--signature", signature.path, "--trust", pki.rootCertificate, "--policy", "strict"])
        #expect(noCRL.status == 2)
        #expect(noCRL.output.contains("TRY_LATER"))
        let crls = try runVanThu(["verify", file.path, "--signature", signature.path, "--trust", pki.rootCertificate, "--policy", "strict",
                                  "--crl", pki.issuingCRL, "--crl", pki.path("root/root.crl.pem"),
                                  "--at", ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))])
        #expect(crls.status == 0, "\(crls.output)")
    }

    @Test func unusableInputExitsThreeWithOneSentence() throws {
        let file = try document()
        let signature = try sign(file)
        let cases: [([String], String)] = [
            (["verify", "/nonexistent.pdf", "--signature", signature.path, "--trust", pki.trustDirectory], "vanthu: The file /nonexistent.pdf cannot be read.\n"),
            (["verify", file.path, "--signature", "/nonexistent.p7s", "--trust", pki.trustDirectory], "vanthu: The signature file /nonexistent.p7s cannot be opened.\n"),
            (["verify", file.path, "--signature", signature.path, "--trust", "/nonexistent"], "vanthu: The trust path /nonexistent does not exist.\n"),
            // Without --signature the file is taken for a PDF with embedded signatures.
            (["verify", file.path, "--trust", pki.trustDirectory], "vanthu: The input is not a PDF: it has no '%PDF-' header.\n"),
            (["verify", file.path, "--signature", signature.path, "--trust", pki.trustDirectory, "--at", "yesterday"],
             "vanthu: The time yesterday is not ISO 8601, e.g. 2026-03-01T08:00:00+07:00 or 2026-03-01.\n"),
            (["sign", file.path], "vanthu: Give either --key and --cert, --p12, or --pkcs11.\n"),
            (["sign", file.path, "--p12", pki.p12("hung.nv"), "--passphrase", "pass:sai"], "vanthu: The passphrase does not open the PKCS#12 file.\n"),
            (["sign", file.path, "--p12", pki.p12("hung.nv")], "vanthu: The PKCS#12 file is protected and no passphrase was given.\n"),
            (["sign", file.path, "--p12", pki.p12("hung.nv"), "--passphrase", "hunter2"],
             "vanthu: The passphrase source must be pass:TEXT, env:VAR, file:PATH, fd:N or stdin.\n"),
            (["sign", file.path, "--key", pki.key("hung.nv"), "--cert", pki.cert("lan.tt")],
             "vanthu: The private key does not belong to the certificate of Trần Thị Lan.\n"),
            (["cert", "show", signature.path],
             "vanthu: The certificate file \(signature.path) cannot be used: the data is not a DER-encoded X.509 certificate.\n"),
        ]
        for (arguments, message) in cases {
            let result = try runVanThu(arguments)
            #expect(result.status == 3, "\(arguments)")
            #expect(result.stderr == message)
        }
    }

    /// ArgumentParser's own status for usage errors is 64; the documented one is 3.
    @Test func usageErrorsExitThree() throws {
        for arguments in [["verify"], ["sign", "--no-such-option"], ["verify", "a.txt", "--at"], ["frobnicate"]] {
            let result = try runVanThu(arguments)
            #expect(result.status == 3, "\(arguments)")
            #expect(result.stderr.contains("Usage: vanthu") || result.stderr.contains("Error:"), "\(result.stderr)")
        }
        #expect(try runVanThu(["verify", "--help"]).status == 0)
    }

    @Test func passphraseFromFileAndStdin() throws {
        let file = try document()
        let secret = file.deletingLastPathComponent().appendingPathComponent("secret")
        try write(TestPKI.passphrase + "\n", to: secret)
        let fromFile = try runVanThu(["sign", file.path, "--p12", pki.p12("mai.dt"), "--passphrase", "file:\(secret.path)", "--out", file.path + ".1.p7s"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        let fromStdin = try runVanThu(["sign", file.path, "--p12", pki.p12("mai.dt"), "--passphrase", "stdin", "--out", file.path + ".2.p7s"],
                                      stdin: Data((TestPKI.passphrase + "\n").utf8))
        #expect(fromStdin.status == 0, "\(fromStdin.stderr)")
        for out in [".1.p7s", ".2.p7s"] {
            let verified = try runVanThu(["verify", file.path, "--signature", file.path + out, "--trust", pki.trustDirectory])
            #expect(verified.status == 0)
        }
    }

    /// With no --passphrase and a terminal, vanthu asks without echo. `script` gives it a pseudo-terminal.
    @Test func promptsForThePassphraseWithoutEcho() throws {
        let file = try document()
        let command = "\(try vanthuExecutable()) sign \(file.path) --p12 \(pki.p12("thu.nt")) --out \(file.path).tty.p7s"
        // Typed after the prompt appears: the prompt flushes anything typed ahead, as getpass does.
        let result = try runProcess("/bin/sh", ["-c", "(sleep 2; printf '%s\\n' \"$P12\") | script -qec \"$CMD\" /dev/null"],
                                    environment: ["P12": TestPKI.passphrase, "CMD": command])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("Passphrase for \(pki.p12("thu.nt")): "))
        #expect(!result.output.contains(TestPKI.passphrase))
        #expect(result.output.contains("Signed \(file.path) as Ngô Thị Thu"))
    }

    @Test func keyAndCertWithPSSAndSHA512() throws {
        let file = try document()
        let result = try runVanThu(["sign", file.path, "--key", pki.key("hoa.vt"), "--cert", pki.cert("hoa.vt"), "--chain", pki.issuingCA,
                                    "--digest", "sha512", "--pss", "--out", file.path + ".sig"])
        #expect(result.status == 0, "\(result.stderr)")
        let verified = try runVanThu(["verify", file.path, "--signature", file.path + ".sig", "--trust", pki.trustDirectory, "--json"])
        #expect(verified.status == 0)
        let report = try ValidationReport.decode(json: verified.stdout)
        #expect(report.signatures.first?.digestAlgorithm == "SHA-512")
        #expect(report.signatures.first?.signatureAlgorithm == "RSASSA-PSS (RSA-3072)")
    }

    @Test func certShowPrintsVietnameseNames() throws {
        let result = try runVanThu(["cert", "show", pki.cert("thang.bd")])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("Certificate: Bùi Đức Thắng\n"))
        #expect(result.output.contains("  Organisation (O): Trường THCS Trần Mai Ninh\n"))
        #expect(result.output.contains("  Title: Hiệu trưởng\n"))
        #expect(result.output.contains("  Key usage: digital signature, non-repudiation\n"))
        let fingerprint = try Certificate.load(contentsOf: pki.cert("thang.bd"))[0].sha256Fingerprint
        #expect(result.output.contains("SHA-256 fingerprint: \(fingerprint)"))
    }
}
