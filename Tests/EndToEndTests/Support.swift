import Foundation
import Testing

/// The built `vanthu-server` and `vanthu`, next to this test bundle (or in VANTHU_BIN_DIR).
enum Binaries {
    static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["VANTHU_BIN_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("vanthu-server").path) { return url }
        }
        return URL(fileURLWithPath: ".build/debug")
    }

    static var server: String { directory.appendingPathComponent("vanthu-server").path }
    static var client: String { directory.appendingPathComponent("vanthu").path }
}

struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// A folder of its own for one end-to-end scenario: data directory, client config, scratch files.
struct Sandbox {
    let root: URL
    let environment: [String: String]

    init() throws {
        root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("vanthu-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        var env = ProcessInfo.processInfo.environment
        env["VANTHU_DATA_DIR"] = root.appendingPathComponent("data").path
        env["XDG_CONFIG_HOME"] = root.appendingPathComponent("config").path
        env["VANTHU_BCRYPT_COST"] = "4"
        env["VANTHU_DEMO_PASSWORD"] = Self.password
        env["VANTHU_LOG_LEVEL"] = "info"
        env.removeValue(forKey: "VANTHU_DATABASE_URL")
        environment = env
    }

    static let password = "mật khẩu demo 2026"

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// Runs a command to completion with `input` on stdin.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], input: String? = nil) throws -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let out = root.appendingPathComponent("out-\(UUID().uuidString)")
        let err = root.appendingPathComponent("err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        return RunResult(status: process.terminationStatus,
                         stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    func server(_ arguments: [String], input: String? = nil) throws -> RunResult { try run(Binaries.server, arguments, input: input) }
    func client(_ arguments: [String], input: String? = nil) throws -> RunResult { try run(Binaries.client, arguments, input: input) }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// A running `vanthu-server serve` on a free port.
final class RunningServer: @unchecked Sendable {
    let process = Process()
    let log: URL
    private(set) var port = 0

    init(_ sandbox: Sandbox) throws {
        log = sandbox.root.appendingPathComponent("server.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: Binaries.server)
        process.arguments = ["serve", "--port", "0"]
        process.environment = sandbox.environment
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The server logs the port it was given.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on 127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let p = Int(digits), p > 0 { port = p; return }
            }
            guard process.isRunning else { break }
            usleep(100_000)
        }
        process.terminate()
        throw ServerDidNotStart(log: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// SIGTERM, then wait for the process to end.
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    struct ServerDidNotStart: Error, CustomStringConvertible {
        let log: String
        var description: String { "the server did not start:\n\(log)" }
    }
}
