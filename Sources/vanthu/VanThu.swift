import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

@main
struct VanThu: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vanthu",
        abstract: "The VanThu client for officials and approvers.",
        discussion: """
        Exit status:
          0  success (for verify: TOTAL_PASSED)
          1  verify: TOTAL_FAILED; other commands: the server refused the request
          2  verify: INDETERMINATE
          3  the input or the command could not be used
          4  the server could not be reached or answered unexpectedly
          5  not logged in, or the session expired
        """,
        subcommands: [
            Login.self, Logout.self, Whoami.self,
            Submit.self, List.self, Show.self, Download.self, Send.self,
            Sign.self, Verify.self, Cert.self,
        ]
    )

    /// ArgumentParser exits 64 (EX_USAGE) on a usage error; VanThu's documented status for
    /// "the command could not be used" is 3, the same as for unusable input, so that a script
    /// calling `vanthu verify` never mistakes a typo for a verification result.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                let message = Array((fullMessage(for: error) + "\n").utf8)
                _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                Glibc.exit(3)
            }
            exit(withError: error)
        }
    }
}

