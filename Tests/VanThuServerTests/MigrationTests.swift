import Foundation
import PostgresNIO
import Testing
@testable import VanThuStore

@Suite struct MigrationTests {
    @Test func aSecondRunAppliesNothing() async throws {
        try await withTestDatabase { client in
            // The test database is a copy of the migrated template.
            let migrator = try Migrator.bundled()
            let applied = try await migrator.migrate(client, logger: TestCluster.logger)
            #expect(applied.isEmpty)
            let recorded = try await client.count("schema_migrations")
            #expect(recorded == migrator.latestVersion)
        }
    }

    @Test func aSchemaNewerThanTheBinaryIsRefused() async throws {
        try await withTestDatabase { client in
            try await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'future', 'x')", logger: TestCluster.logger)
            let migrator = try Migrator.bundled()
            let expected = StoreError(.schemaTooNew,
                "the database schema is at version 9999 but this vanthu-server knows only up to \(migrator.latestVersion); run a newer vanthu-server")
            await #expect(throws: expected) {
                try await migrator.migrate(client, logger: TestCluster.logger)
            }
        }
    }

    @Test func anEditedMigrationIsRefused() async throws {
        try await withTestDatabase { client in
            try await client.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1", logger: TestCluster.logger)
            await #expect {
                try await Migrator.bundled().migrate(client, logger: TestCluster.logger)
            } throws: { ($0 as? StoreError)?.kind == .schemaModified }
        }
    }

    @Test func newMigrationsApplyInOrderAndAFailedOneLeavesNothing() async throws {
        try await withTestDatabase { client in
            let bundled = try Migrator.bundled().migrations
            let good = Migration(version: 900, name: "widgets", sql: "CREATE TABLE widgets (id int); INSERT INTO widgets VALUES (1);")
            let bad = Migration(version: 901, name: "broken", sql: "CREATE TABLE gadgets (id int); SELECT no_such_function();")
            await #expect(throws: (any Error).self) {
                try await Migrator(migrations: bundled + [good, bad]).migrate(client, logger: TestCluster.logger)
            }
            #expect(try await client.count("widgets") == 1)
            #expect(try await client.count("schema_migrations WHERE version = 900") == 1)
            #expect(try await client.count("schema_migrations WHERE version = 901") == 0)
            #expect(try await client.count("pg_tables WHERE tablename = 'gadgets'") == 0)
        }
    }

    @Test func scriptSplittingRespectsQuotesAndComments() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE a (t text DEFAULT 'x;y');
            /* block; comment */
            CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
            INSERT INTO a VALUES ('it''s; fine');
            """
        let statements = SQLScript.statements(in: sql)
        #expect(statements.count == 3)
        #expect(statements[1].contains("$$ SELECT 1; $$"))
    }
}
