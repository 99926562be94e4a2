import ArgumentParser
import Foundation

/// How a client command fails: one plain sentence on stderr and a documented exit status.
struct ClientFailure: Error, CustomStringConvertible {
    enum Status: Int32 {
        /// The server refused the request (bad input, not found, forbidden, conflict).
        case refused = 1
        /// The input or the command could not be used.
        case unusable = 3
        /// The server could not be reached, or answered something unexpected.
        case unreachable = 4
        /// Not logged in, or the session expired.
        case notLoggedIn = 5
    }

    let description: String
    let status: Status

    init(_ description: String, _ status: Status) {
        self.description = description
        self.status = status
    }
}

/// Runs a command body, printing a failure as one sentence and exiting with its status.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as ClientFailure {
        FileHandle.standardError.write(Data("vanthu: \(failure.description)\n".utf8))
        throw ExitCode(failure.status.rawValue)
    }
}
