import Foundation
import Logging

/// Everything the server reads from its environment, read once at start into typed values.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var dataDirectory: URL = URL(fileURLWithPath: ".vanthu")
    /// nil: the embedded PostgreSQL under `dataDirectory`.
    public var databaseURL: String?
    public var logLevel: Logger.Level = .info
    /// VANTHU_MAX_FILE_SIZE, bytes; default 100 MiB.
    public var maxFileSize: Int64 = 100 << 20
    /// bcrypt cost for new passwords (VANTHU_BCRYPT_COST); tests lower it.
    public var bcryptCost: UInt8 = 12
    public var sessionLifetime: Duration = .seconds(12 * 3600)
    /// How long a confirmed session is trusted without asking the database again
    /// (VANTHU_SESSION_CACHE_SECONDS; 0: every request looks its token up). A logout through this
    /// process takes effect at once; one through another instance, within this time.
    public var sessionCacheLifetime: Duration = .seconds(5)
    public var loginThrottle = LoginThrottle()
    /// Connections in the pool (VANTHU_DB_POOL_SIZE).
    public var databasePoolSize: Int = 32

    public init() {}

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads the `VANTHU_*` variables; unknown values are an error, not a silent default.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        var c = ServerConfiguration()
        if let v = env["VANTHU_HOST"], !v.isEmpty { c.host = v }
        if let v = env["VANTHU_PORT"], !v.isEmpty {
            guard let p = Int(v), (0...65535).contains(p) else { throw Invalid(description: "VANTHU_PORT must be a port number, not '\(v)'") }
            c.port = p
        }
        if let v = env["VANTHU_DATA_DIR"], !v.isEmpty { c.dataDirectory = URL(fileURLWithPath: v) }
        if let v = env["VANTHU_DATABASE_URL"], !v.isEmpty { c.databaseURL = v }
        if let v = env["VANTHU_LOG_LEVEL"], !v.isEmpty {
            guard let level = Logger.Level(rawValue: v.lowercased()) else {
                throw Invalid(description: "VANTHU_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
            }
            c.logLevel = level
        }
        if let v = env["VANTHU_MAX_FILE_SIZE"], !v.isEmpty {
            guard let n = Int64(v), n > 0 else { throw Invalid(description: "VANTHU_MAX_FILE_SIZE must be a positive number of bytes") }
            c.maxFileSize = n
        }
        if let v = env["VANTHU_BCRYPT_COST"], !v.isEmpty {
            guard let n = UInt8(v), (4...31).contains(n) else { throw Invalid(description: "VANTHU_BCRYPT_COST must be 4 to 31") }
            c.bcryptCost = n
        }
        if let v = env["VANTHU_SESSION_CACHE_SECONDS"], !v.isEmpty {
            guard let n = Int(v), (0...60).contains(n) else { throw Invalid(description: "VANTHU_SESSION_CACHE_SECONDS must be 0 to 60") }
            c.sessionCacheLifetime = .seconds(n)
        }
        if let v = env["VANTHU_DB_POOL_SIZE"], !v.isEmpty {
            guard let n = Int(v), (1...500).contains(n) else { throw Invalid(description: "VANTHU_DB_POOL_SIZE must be 1 to 500") }
            c.databasePoolSize = n
        }
        return c
    }
}

/// How failed logins slow down and then lock an account.
public struct LoginThrottle: Sendable {
    /// Failures answered at once.
    public var freeFailures = 3
    /// Each failure beyond those waits this much longer before the answer, up to `maxDelay`.
    public var delayStep: Duration = .seconds(1)
    public var maxDelay: Duration = .seconds(5)
    /// After this many consecutive failures the account is locked for `lockDuration`.
    public var lockAfter = 10
    public var lockDuration: Duration = .seconds(15 * 60)

    public init() {}

    func delay(afterFailures n: Int) -> Duration {
        guard n > freeFailures else { return .zero }
        return min(delayStep * (n - freeFailures), maxDelay)
    }
}
