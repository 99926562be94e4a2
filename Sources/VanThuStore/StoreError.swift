/// Errors of the store, each with a stable `code` that the API passes on.
///
/// `description` never carries row data or SQL; it is safe to log and to show.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        case notFound = "not-found"
        case conflict = "conflict"
        case invalid = "invalid"
        case tooLarge = "too-large"
        case schemaTooNew = "schema-too-new"
        case schemaModified = "schema-modified"
        case embeddedPostgres = "embedded-postgres"
        case unavailable = "database-unavailable"
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var code: String { kind.rawValue }
    public var description: String { message }
}

import Logging
import PostgresNIO

extension PostgresClient {
    /// `withTransaction`, except that an error thrown by `body` comes out as itself rather than
    /// wrapped in `PostgresTransactionError`, so that callers can tell a refusal from a failure.
    /// Public for callers outside the store that make many changes at once (seeding the demo
    /// province) through the repositories' `in:` methods.
    public func transaction<Result>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            throw error
        }
    }
}
