import Foundation
import Logging
import PostgresNIO
import VanThuSigning

/// One numbered migration file from Schemas/sql/.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
    public var checksum: String { StreamingDigest.hash(Array(sql.utf8)).hexString }
}

/// Applies Schemas/sql/NNNN_name.sql in order, each in its own transaction with its record in
/// `schema_migrations`. Several instances starting at once serialise on an advisory lock.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    static let advisoryLock: Int64 = 0x56_61_6E_54_68_75 // "VanThu"

    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// The migrations shipped with this binary.
    public static func bundled() throws(StoreError) -> Migrator {
        guard let dir = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw StoreError(.invalid, "this build carries no migrations (resource folder missing)")
        }
        return try Migrator(directory: dir)
    }

    public init(directory: URL) throws(StoreError) {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".sql") }
        var list: [Migration] = []
        for file in files {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw StoreError(.invalid, "migration file \(file) is not named NNNN_name.sql")
            }
            guard let sql = try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8) else {
                throw StoreError(.invalid, "migration file \(file) is not readable UTF-8")
            }
            list.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        guard Set(list.map(\.version)).count == list.count else { throw StoreError(.invalid, "two migration files share a number") }
        self.init(migrations: list)
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the schema up to date. - Returns: the versions applied now (empty when up to date).
    @discardableResult
    public func migrate(_ client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLock))", logger: logger)
            do {
                let applied = try await self.applyPending(connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLock))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLock))", logger: logger)
                throw error
            }
        }
    }

    private func applyPending(_ connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var done: [Int: String] = [:]
        for try await (version, checksum) in try await connection.query(
            "SELECT version, checksum FROM schema_migrations", logger: logger
        ).decode((Int, String).self) {
            done[version] = checksum
        }
        if let newest = done.keys.max(), newest > latestVersion {
            throw StoreError(.schemaTooNew,
                "the database schema is at version \(newest) but this vanthu-server knows only up to \(latestVersion); run a newer vanthu-server")
        }
        for m in migrations {
            if let sum = done[m.version], sum != m.checksum {
                throw StoreError(.schemaModified,
                    "migration \(m.version)_\(m.name).sql differs from the one applied to this database; migrations must never be edited once applied")
            }
        }
        var applied: [Int] = []
        for m in migrations where done[m.version] == nil {
            logger.info("applying migration", metadata: ["version": "\(m.version)", "name": "\(m.name)"])
            try await connection.withTransaction(logger: logger) { tx in
                for statement in SQLScript.statements(in: m.sql) {
                    try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await tx.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(m.version), \(m.name), \(m.checksum))",
                    logger: logger)
            }
            applied.append(m.version)
        }
        return applied
    }
}
