import Foundation
import Logging
import PostgresNIO
import VanThuCore

/// The audit trail. Every state change calls `record` inside its own transaction, so the event
/// exists exactly when the change does.
public enum Audit {
    public static func record(
        _ tx: PostgresConnection, actor: UUID?, action: String, subjectType: String, subjectID: String,
        details: [String: String] = [:], logger: Logger
    ) async throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]), as: UTF8.self)
        try await tx.query("""
            INSERT INTO audit_events (actor_id, action, subject_type, subject_id, details)
            VALUES (\(actor), \(action), \(subjectType), \(subjectID), \(json)::jsonb)
            """, logger: logger)
    }
}

/// Who is acting: the authenticated person, as the store needs to know them.
public struct Principal: Sendable, Equatable {
    public let userID: UUID
    public let organisationID: UUID
    public let username: String
    public let role: VanThuCore.Role

    public init(userID: UUID, organisationID: UUID, username: String, role: VanThuCore.Role) {
        self.userID = userID
        self.organisationID = organisationID
        self.username = username
        self.role = role
    }
}
