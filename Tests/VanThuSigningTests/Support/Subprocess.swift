import Foundation

/// Runs a real program (openssl, vanthu, the dev PKI script) and collects its output.
struct ProcessResult {
    let status: Int32
    let stdout: Data
    let stderr: String
    var output: String { String(decoding: stdout, as: UTF8.self) }
}

@discardableResult
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                stdin: Data? = nil, extraDescriptor: (Int32, Data)? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    // Read both pipes concurrently so a chatty program cannot block on a full pipe.
    let errData = LockedData()
    let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.isSet { usleep(1000) }
    return ProcessResult(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData.value, as: UTF8.self))
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.withLock { data = value } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}

@discardableResult
func openssl(_ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil) throws -> ProcessResult {
    let result = try runProcess("/usr/bin/openssl", arguments, environment: environment, stdin: stdin)
    if result.status != 0 {
        throw TestFailure("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.stderr)")
    }
    return result
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh directory for one test.
func temporaryDirectory(_ name: String = "t") throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("vanthu-signing-\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func write(_ text: String, to url: URL) throws { try Data(text.utf8).write(to: url) }
func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }
