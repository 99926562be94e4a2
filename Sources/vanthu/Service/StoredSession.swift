import Foundation

/// The login kept between commands: server, user and bearer token, in a file only its owner
/// can read (`$XDG_CONFIG_HOME/vanthu/session.json`, else `~/.config/vanthu/session.json`).
struct StoredSession: Codable {
    var server: String
    var username: String
    var token: String
    var expiresAt: Date

    static var file: URL {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: env["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config")
        return base.appendingPathComponent("vanthu").appendingPathComponent("session.json")
    }

    static func load() throws -> StoredSession {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ClientFailure("not logged in; run 'vanthu login --server URL --username NAME' first", .notLoggedIn)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let session = try? decoder.decode(StoredSession.self, from: data) else {
            throw ClientFailure("the saved login in \(file.path) is damaged; log in again", .notLoggedIn)
        }
        guard session.expiresAt > Date() else {
            throw ClientFailure("the session expired; log in again", .notLoggedIn)
        }
        return session
    }

    func save() throws {
        let dir = Self.file.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(self)
        // Create with 0600 before writing, so the token is never readable by others, even briefly.
        let tmp = dir.appendingPathComponent(".session.json.\(getpid())")
        guard FileManager.default.createFile(atPath: tmp.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ClientFailure("cannot write \(tmp.path)", .unusable)
        }
        guard rename(tmp.path, Self.file.path) == 0 else { throw ClientFailure("cannot write \(Self.file.path)", .unusable) }
    }

    static func remove() {
        try? FileManager.default.removeItem(at: file)
    }
}
