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

    @Test func missingEnvironmentVariableIsClear() {
        #expect(throws: SigningError(.passphraseSource, "The environment variable VANTHU_TEST_UNSET_PASS that should hold the passphrase is not set.")) {
            try PassphraseSource.environment("VANTHU_TEST_UNSET_PASS").read()
        }
    }
}
