import ArgumentParser

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Not yet available.")
    func run() async throws { throw ExitCode(3) }
}
