import Foundation
import Logging
import NIOCore
import PostgresNIO
import VanThuCore

public struct SessionRepository: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// Recently confirmed sessions; nil looks every token up in the database.
    let cache: SessionCache?

    public init(client: PostgresClient, logger: Logger, cache: SessionCache? = nil) {
        self.client = client
        self.logger = logger
        self.cache = cache
    }

    /// Opens a session after a successful login and clears the failure count, in one transaction.
    public func open(userID: UUID, tokenHash: [UInt8], expiresAt: Date) async throws {
        try await client.transaction(logger: logger) { tx in
            try await tx.query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = \(userID)", logger: self.logger)
            try await tx.query(
                "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (\(ByteBuffer(bytes: tokenHash)), \(userID), \(expiresAt))",
                logger: self.logger)
            try await Audit.record(tx, actor: userID, action: "session.login", subjectType: "user",
                                   subjectID: userID.uuidString, logger: self.logger)
        }
    }

    /// The person behind a live token, or nil for an unknown, expired or revoked one. With a cache,
    /// a token confirmed within the cache's lifetime is not looked up again (see `SessionCache`).
    public func actor(tokenHash: [UInt8]) async throws -> Principal? {
        let (cached, revocations) = cache?.principal(tokenHash: tokenHash) ?? (nil, 0)
        if let cached { return cached }
        let rows = try await client.query("""
            SELECT u.id, u.organisation_id, u.username, u.role, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = \(ByteBuffer(bytes: tokenHash)) AND s.revoked_at IS NULL AND s.expires_at > now()
            """, logger: logger)
        for try await (id, org, username, role, expiresAt) in rows.decode((UUID, UUID, String, String, Date).self) {
            let principal = Principal(userID: id, organisationID: org, username: username, role: Role(rawValue: role) ?? .specialist)
            cache?.remember(tokenHash: tokenHash, principal: principal, sessionExpiresAt: expiresAt, revocationsBefore: revocations)
            return principal
        }
        return nil
    }

    public func revoke(tokenHash: [UInt8], actor: UUID) async throws {
        // Forgotten before and after the update: a look-up racing the logout cannot leave the token cached.
        cache?.forget(tokenHash: tokenHash)
        defer { cache?.forget(tokenHash: tokenHash) }
        try await client.transaction(logger: logger) { tx in
            try await tx.query("UPDATE sessions SET revoked_at = now() WHERE token_hash = \(ByteBuffer(bytes: tokenHash)) AND revoked_at IS NULL",
                               logger: self.logger)
            try await Audit.record(tx, actor: actor, action: "session.logout", subjectType: "user",
                                   subjectID: actor.uuidString, logger: self.logger)
        }
    }
}
