import Foundation
import Testing
@testable import VanThuSigning

@Suite struct PassphraseSourceTests {
    @Test func parsesOpenSSLStyleSources() throws {
        #expect(try PassphraseSource(parsing: "pass:bí mật") == .literal("bí mật"))
        #expect(try PassphraseSource(parsing: "env:VANTHU_PASS") == .environment("VANTHU_PASS"))
        #expect(try PassphraseSource(parsing: "file:/run/secret") == .file("/run/secret"))
        #expect(try PassphraseSource(parsing: "fd:3") == .fileDescriptor(3))
        #expect(try PassphraseSource(parsing: "stdin") == .standardInput)
        for bad in ["", "secret", "env:", "fd:-1", "fd:x", "file:"] {
            #expect(throws: SigningError(.passphraseSource, "The passphrase source must be pass:TEXT, env:VAR, file:PATH, fd:N or stdin.")) {
                try PassphraseSource(parsing: bad)
            }
        }
    }

    @Test func readsFirstLineOfFileAndDescriptor() throws {
        let file = try temporaryDirectory("pass").appendingPathComponent("p")
        try write("mật khẩu\r\nsecond line\n", to: file)
        #expect(try PassphraseSource.file(file.path).read() == "mật khẩu")
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        _ = "từ pipe\nrest".withCString { write(fds[1], $0, strlen($0)) }
        close(fds[1])
        #expect(try PassphraseSource.fileDescriptor(fds[0]).read() == "từ pipe")
        close(fds[0])
    }

    /// An empty line is an empty passphrase; no line at all is named as such, not reported
    /// later as a passphrase that does not decrypt.
    @Test func anEmptySourceIsNamedAndAnEmptyLineIsAnEmptyPassphrase() throws {
        let directory = try temporaryDirectory("pass-empty")
        let empty = directory.appendingPathComponent("empty")
        try write("", to: empty)
        #expect(throws: SigningError(.passphraseSource, "No passphrase was read from the passphrase file \(empty.path): it is empty.")) {
            try PassphraseSource.file(empty.path).read()
        }
        let blank = directory.appendingPathComponent("blank")
        try write("\n", to: blank)
        #expect(try PassphraseSource.file(blank.path).read() == "")
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[1])
        #expect(throws: SigningError(.passphraseSource, "No passphrase was read from file descriptor \(fds[0]): it is empty.")) {
            try PassphraseSource.fileDescriptor(fds[0]).read()
        }
        close(fds[0])
    }

    @Test func missingEnvironmentVariableIsClear() {
        #expect(throws: SigningError(.passphraseSource, "The environment variable VANTHU_TEST_UNSET_PASS that should hold the passphrase is not set.")) {
            try PassphraseSource.environment("VANTHU_TEST_UNSET_PASS").read()
        }
    }

    /// `file:` accepts a pipe, as bash's process substitution gives (`file:<(printf 'pw\n')`).
    @Test func fileSourceReadsFromAPipe() throws {
        let pki = TestPKI.shared
        let file = try temporaryDirectory("pass-pipe").appendingPathComponent("to-ky.txt")
        try write("Tờ trình", to: file)
        let script = #""$VANTHU" sign "$FILE" --p12 "$P12" --passphrase file:<(printf '%s\n' "$SECRET")"#
        let result = try runProcess("/bin/bash", ["-c", script],
                                    environment: ["VANTHU": try vanthuExecutable(), "FILE": file.path, "P12": pki.p12("hung.nv"),
                                                  "SECRET": TestPKI.passphrase])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: file.path + ".p7s"))
    }

    /// Ctrl-C at the hidden prompt ends vanthu and leaves the terminal echoing. `script` gives a
    /// pseudo-terminal; the shell traps SIGINT so that it lives on to print the terminal's modes.
    @Test func interruptAtThePromptRestoresEcho() throws {
        let pki = TestPKI.shared
        let file = try temporaryDirectory("pass-intr").appendingPathComponent("to-ky.txt")
        try write("Tờ trình", to: file)
        let command = #"trap 'echo interrupted' INT; "$VANTHU" sign "$FILE" --p12 "$P12"; echo status=$?; stty -a"#
        let result = try runProcess("/bin/sh", ["-c", #"(sleep 2; printf '\003'; sleep 2) | script -qec "$COMMAND" /dev/null"#],
                                    environment: ["COMMAND": command, "VANTHU": try vanthuExecutable(), "FILE": file.path,
                                                  "P12": pki.p12("hung.nv")])
        let output = result.output
        #expect(output.contains("Passphrase for"), "\(output)")
        #expect(output.contains("status=130"), "\(output)")
        let modes = output.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == ";" })
        #expect(modes.contains("echo"), "\(output)")
        #expect(!modes.contains("-echo"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: file.path + ".p7s"))
    }
}
