import Foundation

/// The `vanthu` executable built next to this test bundle.
func vanthuExecutable() throws -> String {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vanthu"),
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("vanthu"),
        TestPKI.repositoryRoot.appendingPathComponent(".build/debug/vanthu"),
    ]
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw TestFailure("The vanthu executable was not found next to the test bundle; build it with `swift build`.")
    }
    return found.path
}

@discardableResult
func runVanThu(_ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil) throws -> ProcessResult {
    try runProcess(vanthuExecutable(), arguments, environment: environment, stdin: stdin)
}
