import ArgumentParser

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
}
