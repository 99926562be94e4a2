import Foundation
import Testing
@testable import VanThuSigning

/// `vanthu sign --out`: never the document itself, and never a link, device or pipe replaced.
@Suite struct ClientSignOutputTests {
    let pki = TestPKI.shared

    /// A directory of its own holding a.txt with `text`: the document a test signs.
    private func document(_ name: String, _ text: String) throws -> (directory: URL, file: URL) {
        let directory = try temporaryDirectory(name)
        let file = directory.appendingPathComponent("a.txt")
        try write(text, to: file)
        return (directory, file)
    }

    /// `vanthu verify` accepts `signature` over `file` against the test PKI's trust anchors.
    private func expectVerifies(_ file: URL, signature: String, _ context: String = "") throws {
        let verified = try runVanThu(["verify", file.path, "--signature", signature, "--trust", pki.trustDirectory])
        #expect(verified.status == 0, "\(context) \(verified.output)")
    }

    // MARK: - sign --out

    @Test func outputThatIsTheInputIsRefused() throws {
        let directory = try temporaryDirectory("same")
        let file = directory.appendingPathComponent("self.txt")
        let text = "Quyết định số 5"
        try write(text, to: file)
        let hardLink = directory.appendingPathComponent("hard.txt").path
        let symbolicLink = directory.appendingPathComponent("soft.txt").path
        #expect(link(file.path, hardLink) == 0)
        try FileManager.default.createSymbolicLink(atPath: symbolicLink, withDestinationPath: "self.txt")
        for out in [file.path, directory.path + "/./self.txt", hardLink, symbolicLink] {
            let result = try runVanThu(pki.clientSignArguments(file.path, out: out), environment: TestPKI.clientEnvironment)
            #expect(result.status == 3, "\(out)")
            #expect(result.stderr == "vanthu: The output \(out) is the file being signed; give another --out.\n")
            #expect(try String(contentsOf: file, encoding: .utf8) == text)
        }
        let linkTarget = try FileManager.default.destinationOfSymbolicLink(atPath: symbolicLink)
        #expect(linkTarget == "self.txt")
    }

    @Test func symbolicLinkOutputIsFollowedNotReplaced() throws {
        let (directory, file) = try document("link-out", "Thông báo")
        let target = directory.appendingPathComponent("kept.p7s").path
        try write("old", to: URL(fileURLWithPath: target))
        let symbolicLink = directory.appendingPathComponent("link.p7s").path
        try FileManager.default.createSymbolicLink(atPath: symbolicLink, withDestinationPath: "kept.p7s")
        let result = try runVanThu(pki.clientSignArguments(file.path, out: symbolicLink), environment: TestPKI.clientEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: symbolicLink) == "kept.p7s")
        try expectVerifies(file, signature: target)
    }

    /// An existing output with other hard links is rewritten in place: renaming over it would
    /// leave the other names on the old signature.
    @Test func hardLinkedOutputIsRewrittenInPlace() throws {
        let (directory, file) = try document("hard-out", "Công văn số 17/SGDĐT-VP")
        let out = directory.appendingPathComponent("out.p7s").path
        let other = directory.appendingPathComponent("other-name.p7s").path
        try write(String(repeating: "old signature ", count: 1000), to: URL(fileURLWithPath: out))
        #expect(link(out, other) == 0)
        var before = stat()
        #expect(stat(out, &before) == 0)
        let result = try runVanThu(pki.clientSignArguments(file.path, out: out), environment: TestPKI.clientEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        var after = stat(), linked = stat()
        #expect(stat(out, &after) == 0 && stat(other, &linked) == 0)
        #expect(after.st_ino == before.st_ino && linked.st_ino == before.st_ino)
        #expect(after.st_nlink == 2)
        // Cut to the signature's length, not left with the old file's tail.
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)).count < 14_000)
        for name in [out, other] {
            try expectVerifies(file, signature: name, name)
        }
    }

    /// A writable output in a directory the user may not write to is rewritten in place: no
    /// temporary file can be made beside it. Root passes directory permissions, so as root the
    /// directory belongs to another user and vanthu runs without the capability to override it.
    @Test func writableOutputInAReadOnlyDirectoryIsWritten() throws {
        let (directory, file) = try document("ro-dir-out", "Kế hoạch số 3/KH-SGDĐT")
        let locked = directory.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        let out = locked.appendingPathComponent("out.p7s").path
        try write("old", to: URL(fileURLWithPath: out))
        let root = geteuid() == 0
        if root { #expect(chown(locked.path, 65534, 65534) == 0) }
        #expect(chmod(locked.path, 0o555) == 0)
        defer { chmod(locked.path, 0o755) }
        let arguments = pki.clientSignArguments(file.path, out: out)
        let result = root
            ? try runProcess("/usr/bin/setpriv", ["--bounding-set=-dac_override,-dac_read_search", try vanthuExecutable()] + arguments,
                             environment: TestPKI.clientEnvironment)
            : try runVanThu(arguments, environment: TestPKI.clientEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: locked.path) == ["out.p7s"])
        try expectVerifies(file, signature: out)
    }

    /// A pipe given as --out is written through; renaming a file over it would replace it (as
    /// it would replace /dev/null for root).
    @Test func pipeOutputIsWrittenThroughNotReplaced() throws {
        let (directory, file) = try document("fifo-out", "Thông báo")
        let fifo = directory.appendingPathComponent("out.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // The test reads the pipe itself (no second process: its exit would interrupt the
        // test's reads). A non-blocking reader lets vanthu open it; 64 KiB of pipe buffer hold the signature.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let result = try runVanThu(pki.clientSignArguments(file.path, out: fifo), environment: TestPKI.clientEnvironment)
        var status = stat()
        #expect(lstat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
        #expect(result.status == 0, "\(result.stderr)")
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while case let count = read(reader, &buffer, buffer.count), count > 0 { received += buffer.prefix(count) }
        let copy = directory.appendingPathComponent("copy.p7s")
        try Data(received).write(to: copy)
        try expectVerifies(file, signature: copy.path)
    }

    /// `--out /dev/stdout` into a pipe (as `| wc -c`): the descriptor is written, nothing else
    /// goes to standard output, and the "Signed" line goes to standard error. A link to
    /// /dev/stdout is a pipe too once followed by `stat`.
    @Test func standardOutputPipeGetsTheSignatureOnly() throws {
        let (directory, file) = try document("stdout-pipe", "Thông báo")
        let link = directory.appendingPathComponent("link.p7s").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/stdout")
        for out in ["/dev/stdout", "/proc/self/fd/1", "/dev/fd/1", link] {
            let result = try runVanThu(pki.clientSignArguments(file.path, out: out), environment: TestPKI.clientEnvironment)
            #expect(result.status == 0, "\(out): \(result.stderr)")
            #expect(result.stderr == "Signed \(file.path) as Nguyễn Văn Hùng: \(out)\n")
            let signature = [UInt8](result.stdout)
            // One DER SEQUENCE with a long-form length, exactly as long as what was written.
            #expect(signature.count > 4 && signature[0] == 0x30 && signature[1] == 0x82
                    && Int(signature[2]) << 8 + Int(signature[3]) + 4 == signature.count, "\(out)")
            let copy = directory.appendingPathComponent("copy.p7s")
            try Data(signature).write(to: copy)
            try expectVerifies(file, signature: copy.path, out)
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "/dev/stdout")
    }

    /// `--out /dev/stdout >> FILE`: the shell's descriptor is written, so the signature is
    /// appended after what the file held, and the file is not replaced.
    @Test func standardOutputRedirectedToAFileIsAppendedTo() throws {
        let (directory, file) = try document("stdout-append", "Thông báo")
        let collected = directory.appendingPathComponent("collected.bin")
        let earlier = "earlier content\n"
        try write(earlier, to: collected)
        var before = stat()
        #expect(stat(collected.path, &before) == 0)
        let command = (["'\(try vanthuExecutable())'"] + pki.clientSignArguments(file.path, out: "/dev/stdout").map { "'\($0)'" })
            .joined(separator: " ") + " >> '\(collected.path)'"
        let result = try runProcess("/bin/sh", ["-c", command], environment: TestPKI.clientEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "Signed \(file.path) as Nguyễn Văn Hùng: /dev/stdout\n")
        var after = stat()
        #expect(stat(collected.path, &after) == 0 && after.st_ino == before.st_ino)
        let content = try bytes(collected)
        #expect(content.starts(with: Array(earlier.utf8)))
        let copy = directory.appendingPathComponent("copy.p7s")
        try Data(content.dropFirst(earlier.utf8.count)).write(to: copy)
        try expectVerifies(file, signature: copy.path)
    }

    @Test func closedDescriptorOutputIsRefused() throws {
        let (directory, file) = try document("closed-fd", "Thông báo")
        let result = try runVanThu(pki.clientSignArguments(file.path, out: "/dev/fd/97"), environment: TestPKI.clientEnvironment)
        #expect(result.status == 3)
        #expect(result.stderr == "vanthu: The output /dev/fd/97 names a file descriptor that is not open.\n")
        #expect(result.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["a.txt"])
    }

    @Test func directoryOutputIsRefused() throws {
        let (directory, file) = try document("dir-out", "Thông báo")
        let result = try runVanThu(pki.clientSignArguments(file.path, out: directory.path), environment: TestPKI.clientEnvironment)
        #expect(result.status == 3)
        #expect(result.stderr == "vanthu: The output \(directory.path) is a directory; give a file name with --out.\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["a.txt"])
    }
    /// A typo in the command never costs a passphrase prompt or a token login: with no
    /// passphrase given (and no terminal), the key cannot be opened, yet the typo is named.
    @Test func checksThatNeedNoKeyComeFirst() throws {
        let (directory, file) = try document("order", "Thông báo")
        let cases: [([String], String)] = [
            (["--digest", "md5"], "vanthu: The digest must be sha256, sha384 or sha512.\n"),
            (["--reason", "Phê duyệt"], "vanthu: The page, appearance, reason and location options go with --pades.\n"),
            (["--out", directory.path], "vanthu: The output \(directory.path) is a directory; give a file name with --out.\n"),
        ]
        for (extra, message) in cases {
            let result = try runVanThu(["sign", file.path, "--p12", pki.p12("hung.nv")] + extra)
            #expect(result.status == 3)
            #expect(result.stderr == message)
        }
        let missing = try runVanThu(["sign", directory.appendingPathComponent("none.txt").path, "--p12", pki.p12("hung.nv")])
        #expect(missing.stderr == "vanthu: The file \(directory.path)/none.txt cannot be read.\n")
    }
}
