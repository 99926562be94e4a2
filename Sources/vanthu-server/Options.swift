import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import VanThuServer
import VanThuStore

/// The configuration every subcommand shares: flags override VANTHU_* variables.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory (VANTHU_DATA_DIR, default .vanthu).")
    var dataDir: String?

    @Option(name: .customLong("database-url"), help: "Use this PostgreSQL instead of the embedded one (VANTHU_DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (VANTHU_LOG_LEVEL).")
    var logLevel: String?

    func configuration() throws -> ServerConfiguration {
        var env = ProcessInfo.processInfo.environment
        if let dataDir { env["VANTHU_DATA_DIR"] = dataDir }
        if let databaseURL { env["VANTHU_DATABASE_URL"] = databaseURL }
        if let logLevel { env["VANTHU_LOG_LEVEL"] = logLevel }
        do {
            return try ServerConfiguration.fromEnvironment(env)
        } catch let e as ServerConfiguration.Invalid {
            throw Failure(e.description, status: 3)
        }
    }
}

/// A command failure: one sentence on stderr and a documented exit status.
struct Failure: Error, CustomStringConvertible {
    let description: String
    let status: Int32
    init(_ description: String, status: Int32 = 1) {
        self.description = description
        self.status = status
    }
}

func makeLogger(_ configuration: ServerConfiguration, label: String = "vanthu") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = configuration.logLevel
    return logger
}

extension ServerConfiguration {
    var databaseLocation: DatabaseLocation {
        get throws {
            if let url = databaseURL { return .url(url) }
            do { return .embedded(try EmbeddedPostgres(dataDirectory: dataDirectory)) } catch {
                throw Failure(error.description, status: 4)
            }
        }
    }
}

/// Runs `body` with a migrated database: joins the embedded cluster if it runs, or starts it for
/// the duration and stops it afterwards.
func withDatabase<T: Sendable>(_ configuration: ServerConfiguration, logger: Logger,
                               _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
    let location = try configuration.databaseLocation
    var startedHere = false
    if case .embedded(let pg) = location {
        do { startedHere = try pg.start(logger: logger) } catch { throw Failure(error.description, status: 4) }
    }
    defer { if startedHere, case .embedded(let pg) = location { pg.stop(logger: logger) } }
    var clientConfiguration = try location.clientConfiguration()
    clientConfiguration.options.maximumConnections = 4
    let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        do {
            try await withTimeout(.seconds(30)) { try await Migrator.bundled().migrate(client, logger: logger) }
        } catch let e as StoreError {
            throw Failure(e.description, status: 4)
        } catch {
            throw Failure("the database could not be reached: \(String(describing: error).prefix(200))", status: 4)
        }
        return try await body(client)
    }
}

/// Reports a failure the way every admin command does, and exits with its status.
func runReporting(_ work: () async throws -> Void) async throws {
    do {
        try await work()
    } catch let f as Failure {
        FileHandle.standardError.write(Data("vanthu-server: \(f.description)\n".utf8))
        throw ExitCode(f.status)
    } catch let e as StoreError {
        FileHandle.standardError.write(Data("vanthu-server: \(e.description)\n".utf8))
        throw ExitCode(e.kind == .unavailable || e.kind == .embeddedPostgres ? 4 : 1)
    } catch let e as ExitCode {
        throw e
    } catch let e as any CustomStringConvertible & Error {
        FileHandle.standardError.write(Data("vanthu-server: \(e.description)\n".utf8))
        throw ExitCode(1)
    }
}

/// Runs `work`, giving up after `limit`: PostgresClient waits for a connection indefinitely.
func withTimeout<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw StoreError(.unavailable, "the database did not answer within \(limit.components.seconds) seconds")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
