import Foundation
import Testing
@testable import VanThuSigning

/// A report that cannot be written to standard output is an error (exit 3), not a silent success.
@Suite struct ClientStandardOutputTests {
    let pki = TestPKI.shared

    // MARK: - Standard output

    @Test func failedWritesToStandardOutputExitThree() throws {
        let (file, signature) = try pki.clientSignedDocument()
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
