import Foundation
import PostgresNIO

/// Where the database is: VanThu's own embedded cluster, or a server named by a URL.
public enum DatabaseLocation: Sendable {
    case embedded(EmbeddedPostgres)
    case url(String)

    /// The PostgresClient configuration for this location.
    public func clientConfiguration(database: String? = nil) throws(StoreError) -> PostgresClient.Configuration {
        switch self {
        case .embedded(let pg):
            return PostgresClient.Configuration(
                unixSocketPath: pg.socketPath, username: EmbeddedPostgres.superuser, password: nil,
                database: database ?? EmbeddedPostgres.databaseName)
        case .url(let text):
            return try Self.parse(url: text, database: database)
        }
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=disable|prefer|require`.
    static func parse(url text: String, database: String?) throws(StoreError) -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? ""),
              let user = url.user, !user.isEmpty
        else {
            throw StoreError(.invalid, "VANTHU_DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let dbName = database ?? String(url.path.dropFirst())
        let sslmode = url.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "disable": tls = .disable
        case "require", "verify-full", "verify-ca": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        if let host = url.host, host.hasPrefix("/") || host.isEmpty {
            return .init(unixSocketPath: host, username: user, password: url.password, database: dbName)
        }
        return .init(host: url.host ?? "127.0.0.1", port: url.port ?? 5432, username: user,
                     password: url.password, database: dbName.isEmpty ? nil : dbName, tls: tls)
    }
}
