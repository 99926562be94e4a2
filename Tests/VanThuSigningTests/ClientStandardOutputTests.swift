import Foundation
import Testing
@testable import VanThuSigning

/// A report that cannot be written to standard output is an error (exit 3), not a silent success.
@Suite struct ClientStandardOutputTests {
    let pki = TestPKI.shared
    let env = ["VANTHU_TEST_P12": TestPKI.passphrase]

    private func signArguments(_ file: String, out: String) -> [String] {
        ["sign", file, "--p12", pki.p12("hung.nv"), "--passphrase", "env:VANTHU_TEST_P12", "--out", out]
    }

    private func signed() throws -> (file: String, signature: String) {
        let file = try temporaryDirectory("at").appendingPathComponent("a.txt")
        try write("Thông báo", to: file)
        let result = try runVanThu(signArguments(file.path, out: file.path + ".p7s"), environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        return (file.path, file.path + ".p7s")
    }

    // MARK: - Standard output

    @Test func failedWritesToStandardOutputExitThree() throws {
        let (file, signature) = try signed()
        let commands: [String] = [
            #""$VANTHU" verify "$FILE" --signature "$SIG" --trust "$TRUST" --json > /dev/full"#,
            #""$VANTHU" verify "$FILE" --signature "$SIG" --trust "$TRUST" > /dev/full"#,
            #""$VANTHU" cert show "$CERT" > /dev/full"#,
        ]
        for command in commands {
            let result = try runProcess("/bin/sh", ["-c", command],
                                        environment: ["VANTHU": try vanthuExecutable(), "FILE": file, "SIG": signature,
                                                      "TRUST": pki.trustDirectory, "CERT": pki.cert("hung.nv")])
            #expect(result.status == 3, "\(command)")
            #expect(result.stderr == "vanthu: The output cannot be written to standard output.\n", "\(command)")
        }
    }
}
