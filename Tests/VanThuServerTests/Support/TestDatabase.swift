import Foundation
import Logging
import PostgresNIO
import VanThuStore

/// One real PostgreSQL for the whole test process: VanThu's own embedded cluster in a temporary
/// folder (or the server in VANTHU_TEST_DATABASE_URL). Every test gets a fresh database cloned
/// from a migrated template, so tests run in parallel without seeing each other's rows.
actor TestCluster {
    static let shared = TestCluster()
    static let logger: Logger = {
        var l = Logger(label: "vanthu-test")
        l.logLevel = ProcessInfo.processInfo.environment["VANTHU_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return l
    }()

    private var setup: Task<DatabaseLocation, any Error>?
    private var counter = 0

    /// The cluster's folder when we run our own; removed when the process exits.
    nonisolated(unsafe) static var ownedCluster: EmbeddedPostgres?

    /// Starts the cluster and migrates the template once, however many tests ask at the same time
    /// (an actor is re-entered at every `await`, so the work is one shared task).
    private func ready() async throws -> DatabaseLocation {
        if let setup { return try await setup.value }
        let task = Task { try await Self.prepare() }
        setup = task
        return try await task.value
    }

    private static func prepare() async throws -> DatabaseLocation {
        let env = ProcessInfo.processInfo.environment
        let loc: DatabaseLocation
        if let url = env["VANTHU_TEST_DATABASE_URL"], !url.isEmpty {
            loc = .url(url)
        } else {
            let dir = URL(fileURLWithPath: env["VANTHU_TEST_DATA_DIR"] ?? NSTemporaryDirectory())
                .appendingPathComponent("vanthu-test-\(getpid())")
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let pg = try EmbeddedPostgres(dataDirectory: dir, maxConnections: 400)
            try pg.start(logger: logger)
            ownedCluster = pg
            atexit {
                if let pg = TestCluster.ownedCluster {
                    pg.stop(logger: TestCluster.logger)
                    try? FileManager.default.removeItem(at: pg.dataDirectory)
                }
            }
            loc = .embedded(pg)
        }
        // Migrate a template once; each test database is a cheap copy of it.
        try await withClient(loc, database: maintenanceDatabase(loc)) { admin in
            try await admin.query("DROP DATABASE IF EXISTS vanthu_test_template", logger: logger)
            try await admin.query("CREATE DATABASE vanthu_test_template", logger: logger)
        }
        try await withClient(loc, database: "vanthu_test_template") { client in
            try await Migrator.bundled().migrate(client, logger: logger)
        }
        return loc
    }

    static func maintenanceDatabase(_ location: DatabaseLocation) -> String { "postgres" }

    /// A new, migrated, empty database for one test.
    func makeDatabase() async throws -> (DatabaseLocation, String) {
        let loc = try await ready()
        counter += 1
        let name = "t_\(getpid())_\(counter)"
        // CREATE DATABASE fails while anything else holds the template open (the migrating
        // client's connections close asynchronously), so try again briefly.
        var attempt = 0
        while true {
            do {
                try await Self.withClient(loc, database: Self.maintenanceDatabase(loc)) { admin in
                    try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE vanthu_test_template"), logger: Self.logger)
                }
                return (loc, name)
            } catch {
                attempt += 1
                if attempt >= 50 { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    static func withClient<T: Sendable>(_ location: DatabaseLocation, database: String, maxConnections: Int = 2,
                                        _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        var configuration = try location.clientConfiguration(database: database)
        configuration.options.maximumConnections = maxConnections
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

/// Runs `body` with a client on a fresh test database.
func withTestDatabase<T: Sendable>(_ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
    let (location, name) = try await TestCluster.shared.makeDatabase()
    return try await TestCluster.withClient(location, database: name, maxConnections: 4, body)
}

extension PostgresClient {
    /// `SELECT count(*)` of a table, for before/after assertions.
    func count(_ table: String) async throws -> Int {
        for try await n in try await query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: TestCluster.logger).decode(Int.self) {
            return n
        }
        return 0
    }

    /// Counts of every table a document upload touches.
    func documentCounts() async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for t in ["documents", "document_files", "document_recipients", "blobs", "blob_chunks"] { out[t] = try await count(t) }
        return out
    }
}
