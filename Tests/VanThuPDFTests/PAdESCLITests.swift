import Foundation
import Testing
import VanThuPDF
import VanThuSigning

/// `vanthu sign FILE.pdf --pades` and `vanthu verify FILE.pdf`, run as the built binary.
@Suite("vanthu sign --pades and vanthu verify FILE.pdf")
struct PAdESCLITests {
    let dev: DevPKI
    init() throws { dev = try DevPKI.shared() }

    func vanthu(_ arguments: [String]) throws -> Tool.Result {
        try Tool.run(VanThuBinary.path(), arguments, environment: ["VANTHU_TEST_P12": DevPKI.passphrase])
    }

    func signArguments(_ file: URL, as user: String) -> [String] {
        ["sign", file.path, "--pades", "--p12", dev.p12(user), "--passphrase", "env:VANTHU_TEST_P12"]
    }

    func verify(_ file: URL, json: Bool = false) throws -> Tool.Result {
        try vanthu(["verify", file.path, "--trust", dev.trustDirectory] + (json ? ["--json"] : []))
    }

    @Test("sign --pades writes FILE-signed.pdf, keeps the input, and verify exits 0 with a readable report",
          .timeLimit(.minutes(2)))
    func signAndVerify() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let original = Fixtures.classicPDF()
        let input = try directory.write(original, to: "qd-12.pdf")
        let signed = try vanthu(signArguments(input, as: "hung.nv") + [
            "--rect", "330,90,220,140", "--title", "GIÁM ĐỐC", "--reason", "Phê duyệt", "--location", "Thanh Hóa",
        ])
        #expect(signed.status == 0, "\(signed.output)")
        let output = directory.file("qd-12-signed.pdf")
        #expect(signed.stdout.contains(output.path))
        #expect(try [UInt8](Data(contentsOf: input)) == original, "the input is never overwritten by default")
        let result = try verify(output)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.hasPrefix("Result: TOTAL_PASSED"))
        #expect(result.stdout.contains("Signature1 [PAdES]: TOTAL_PASSED"))
        #expect(result.stdout.contains("Signer: Nguyễn Văn Hùng"))
        #expect(result.stdout.contains("+07:00"))
        #expect(result.stdout.contains("Covers: the whole file"))

        // A second signature (the seal over the first) with --out; the first then covers part of the file.
        let sealed = directory.file("qd-12-sealed.pdf")
        let seal = Fixtures.png(width: 40, height: 40, red: 220, green: 0, blue: 0, ring: true)
        let sealFile = try directory.write(seal, to: "seal.png")
        let second = try vanthu(signArguments(output, as: "mai.dt") + [
            "--rect", "330,90,220,140", "--title", "GIÁM ĐỐC", "--name", "Nguyễn Văn Hùng", "--seal-image", sealFile.path, "--out", sealed.path,
        ])
        #expect(second.status == 0, "\(second.output)")
        let json = try verify(sealed, json: true)
        #expect(json.status == 0, "\(json.output)")
        let report = try ValidationReport.decode(json: Data(json.stdout.utf8))
        #expect(report.signatures.map(\.format) == [.pades, .pades])
        #expect(report.signatures.first?.coverage?.coversWholeDocument == false)
        #expect(report.signatures.first?.coverage?.laterRevisions.map(\.kind) == ["signature"])
    }

    @Test("an attachment stamp signs page 1 and verifies", .timeLimit(.minutes(2)))
    func stamp() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = try directory.write(Fixtures.classicPDF(), to: "phu-luc.pdf")
        let signed = try vanthu(signArguments(input, as: "mai.dt") + ["--stamp", "Số: 12/QĐ-SGDĐT"])
        #expect(signed.status == 0, "\(signed.output)")
        let output = directory.file("phu-luc-signed.pdf")
        if Tool.path("pdftotext") != nil {
            let text = try Tool.run("pdftotext", ["-f", "1", "-l", "1", output.path, "-"])
            #expect(text.stdout.contains("12/QĐ-SGDĐT"), "\(text.output)")
        }
        #expect(try verify(output).status == 0)
    }

    @Test("verify FILE.pdf exits 1 when the content changed after signing", .timeLimit(.minutes(2)))
    func changedExitsOne() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = try directory.write(Fixtures.classicPDF(), to: "qd-12.pdf")
        #expect(try vanthu(signArguments(input, as: "huy.lq")).status == 0)
        let output = directory.file("qd-12-signed.pdf")
        var bytes = [UInt8](try Data(contentsOf: output))
        let target = try #require(findBytes(bytes, Array("Page 1 of".utf8)))
        bytes[target] = UInt8(ascii: "X")
        try Data(bytes).write(to: output)
        let result = try verify(output)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.stdout.contains("TOTAL_FAILED / HASH_FAILURE"))
    }

    @Test("verify FILE.pdf exits 2 for the revoked signer", .timeLimit(.minutes(2)))
    func revokedExitsTwo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = try directory.write(Fixtures.classicPDF(), to: "qd-12.pdf")
        #expect(try vanthu(signArguments(input, as: "tung.dv")).status == 0)
        let result = try verify(directory.file("qd-12-signed.pdf"))
        #expect(result.status == 2, "\(result.output)")
        #expect(result.stdout.contains("INDETERMINATE / REVOKED_NO_POE"))
    }

    @Test("exit 3 with one sentence: no signature, not a PDF, bad --rect, missing file", .timeLimit(.minutes(2)))
    func unusableExitsThree() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let unsigned = try directory.write(Fixtures.classicPDF(), to: "unsigned.pdf")
        let text = try directory.write(Array("không phải PDF".utf8), to: "note.pdf")
        let cases: [([String], String)] = [
            (["verify", unsigned.path, "--trust", dev.trustDirectory], "vanthu: The PDF \(unsigned.path) has no signature to verify.\n"),
            (["verify", text.path, "--trust", dev.trustDirectory], "vanthu: The input is not a PDF: it has no '%PDF-' header.\n"),
            (signArguments(unsigned, as: "hung.nv") + ["--rect", "1,2,3"],
             "vanthu: --rect takes four numbers x,y,width,height with a positive width and height, e.g. 320,80,220,140.\n"),
            (signArguments(text, as: "hung.nv"), "vanthu: The input is not a PDF: it has no '%PDF-' header.\n"),
            (["sign", unsigned.path, "--p12", dev.p12("hung.nv"), "--passphrase", "env:VANTHU_TEST_P12", "--rect", "1,2,3,4"],
             "vanthu: The page, appearance, reason and location options go with --pades.\n"),
        ]
        for (arguments, message) in cases {
            let result = try vanthu(arguments)
            #expect(result.status == 3, "\(arguments): \(result.output)")
            #expect(result.stderr == message)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("note-signed.pdf").path), "a failed signing leaves no output")
        #expect(!FileManager.default.fileExists(atPath: directory.file("unsigned-signed.pdf").path))
    }
    @Test("--out through a symbolic link keeps the link; a device or pipe is refused", .timeLimit(.minutes(2)))
    func outputLinksAndDevices() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = try directory.write(Fixtures.classicPDF(), to: "cv.pdf")
        let target = try directory.write(Array("old".utf8), to: "kept.pdf")
        let link = directory.file("link.pdf")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "kept.pdf")
        let signed = try vanthu(signArguments(input, as: "hung.nv") + ["--out", link.path])
        #expect(signed.status == 0, "\(signed.output)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "kept.pdf")
        #expect(try verify(target).status == 0)
        let fifo = directory.file("pipe.pdf")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        for out in ["/dev/null", fifo.path] {
            let refused = try vanthu(signArguments(input, as: "hung.nv") + ["--out", out])
            #expect(refused.status == 3)
            #expect(refused.stderr == "vanthu: The signed PDF must be written to a file, not to \(out).\n")
        }
        var status = stat()
        #expect(stat("/dev/null", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)
        #expect(lstat(fifo.path, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
    }

    @Test("an existing output keeps its mode: a 0600 signed PDF stays 0600", .timeLimit(.minutes(2)))
    func outputModeIsKept() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = try directory.write(Fixtures.classicPDF(), to: "mat.pdf")
        for mode: mode_t in [0o600, 0o640] {
            let output = try directory.write(Array("old".utf8), to: "mat-\(String(mode, radix: 8)).pdf")
            #expect(chmod(output.path, mode) == 0)
            let signed = try vanthu(signArguments(input, as: "hung.nv") + ["--out", output.path])
            #expect(signed.status == 0, "\(signed.output)")
            var status = stat()
            #expect(stat(output.path, &status) == 0 && status.st_mode & 0o7777 == mode, "\(String(mode, radix: 8))")
            #expect(try verify(output).status == 0)
        }
    }

    @Test("a FIFO as the PDF to sign or verify is refused at once, not waited on", .timeLimit(.minutes(1)))
    func fifoInputIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.file("in.pdf")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let sentence = "vanthu: The file \(fifo.path) is not a regular file (a pipe or a device), which VanThu does not read.\n"
        let signed = try vanthu(signArguments(fifo, as: "hung.nv"))
        #expect(signed.status == 3, "\(signed.output)")
        #expect(signed.stderr == sentence)
        let verified = try vanthu(["verify", fifo.path, "--trust", dev.trustDirectory])
        #expect(verified.status == 3, "\(verified.output)")
        #expect(verified.stderr == sentence)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["in.pdf"])
        var status = stat()
        #expect(lstat(fifo.path, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
    }
}
