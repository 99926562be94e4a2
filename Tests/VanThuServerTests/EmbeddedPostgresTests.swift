import Foundation
import Logging
import PostgresNIO
import Testing
import VanThuStore

@Suite struct EmbeddedPostgresTests {
    @Test func initialisesReusesAndRecoversFromAStaleLock() async throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("vanthu-embedded-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(at: dir) }
        let pg = try EmbeddedPostgres(dataDirectory: dir)
        let logger = TestCluster.logger

        let started = try pg.start(logger: logger)
        #expect(started)
        #expect(pg.isRunning())
        // Listening only on the Unix socket inside the data directory.
        #expect(FileManager.default.fileExists(atPath: pg.socketPath))
        try await TestCluster.withClient(.embedded(pg), database: EmbeddedPostgres.databaseName) { client in
            try await client.query("CREATE TABLE kept (v text)", logger: logger)
            try await client.query("INSERT INTO kept VALUES ('còn đây')", logger: logger)
            var listen = ""
            for try await v in try await client.query("SHOW listen_addresses", logger: logger).decode(String.self) { listen = v }
            #expect(listen == "")
            var encoding = ""
            for try await v in try await client.query("SHOW server_encoding", logger: logger).decode(String.self) { encoding = v }
            #expect(encoding == "UTF8")
        }
        // Starting again while it runs joins it.
        let startedAgain = try pg.start(logger: logger)
        #expect(startedAgain == false)
        pg.stop(logger: logger)
        #expect(!pg.isRunning())
        #expect(!FileManager.default.fileExists(atPath: pg.clusterDirectory.appendingPathComponent("postmaster.pid").path))

        // A crash leaves postmaster.pid naming a process that is not PostgreSQL.
        let pidFile = pg.clusterDirectory.appendingPathComponent("postmaster.pid")
        try "\(getpid())\n\(pg.clusterDirectory.path)\n".write(to: pidFile, atomically: true, encoding: .utf8)
        let recovered = try pg.start(logger: logger)
        #expect(recovered)
        try await TestCluster.withClient(.embedded(pg), database: EmbeddedPostgres.databaseName) { client in
            let kept = try await client.count("kept")
            #expect(kept == 1)
        }
        pg.stop(logger: logger)
        #expect(!pg.isRunning())
    }

    @Test func anUnreachableDataDirectoryIsExplained() throws {
        guard geteuid() == 0 else { return }
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("vanthu-closed-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: dir) }
        let pg = try EmbeddedPostgres(dataDirectory: dir.appendingPathComponent("data"))
        #expect {
            try pg.start(logger: TestCluster.logger)
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.kind == .embeddedPostgres && e.message.contains("cannot enter")
        }
    }
}
