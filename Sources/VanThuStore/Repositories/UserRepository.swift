import Foundation
import Logging
import NIOCore
import PostgresNIO
import VanThuAPI
import VanThuCore

/// What the login path needs to know about an account.
public struct LoginRecord: Sendable {
    public let userID: UUID
    public let passwordHash: String
    public let failedLogins: Int
    public let lockedUntil: Date?
}

/// A signing certificate registered for a person.
public struct CertificateRegistration: Sendable {
    public var fingerprintSHA256: String
    public var subject: String
    public var issuer: String
    public var serial: String
    public var notBefore: Date
    public var notAfter: Date
    public var der: [UInt8]

    public init(fingerprintSHA256: String, subject: String, issuer: String, serial: String, notBefore: Date, notAfter: Date, der: [UInt8]) {
        self.fingerprintSHA256 = fingerprintSHA256
        self.subject = subject
        self.issuer = issuer
        self.serial = serial
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.der = der
    }
}

public struct UserRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Usernames are ASCII letters, digits, `.`, `_`, `-`: they are typed on tokens and in scripts.
    public static func validUsername(_ raw: String) throws(TextRejection) -> String {
        let name = try CleanText.line(raw, field: "username", maxLength: 64).lowercased()
        guard name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || ".-_".unicodeScalars.contains($0) }) else {
            throw TextRejection(field: "username", reason: "may hold only the letters a–z, digits, '.', '_' and '-'")
        }
        return name
    }

    @discardableResult
    public func add(organisation code: AgencyCode, username: String, fullName: String, title: String?, role: Role,
                    division: String?, passwordHash: String, actor: UUID? = nil) async throws -> UUID {
        try await client.transaction(logger: logger) { tx in
            try await self.add(organisation: code, username: username, fullName: fullName, title: title, role: role,
                               division: division, passwordHash: passwordHash, actor: actor, in: tx)
        }
    }

    /// `add` inside the caller's transaction, for bulk work such as seeding.
    @discardableResult
    public func add(organisation code: AgencyCode, username: String, fullName: String, title: String?, role: Role,
                    division: String?, passwordHash: String, actor: UUID? = nil, in tx: PostgresConnection) async throws -> UUID {
        let username = try Self.validUsername(username)
        let fullName = try CleanText.line(fullName, field: "full name", maxLength: 255)
        let title = try title.map { t throws(TextRejection) in try CleanText.line(t, field: "title", maxLength: 255) }
        guard let org = try await OrganisationRepository(client: self.client, logger: self.logger).find(code: code, on: tx) else {
            throw StoreError(.notFound, "no organisation has the code \(code)")
        }
        var divisionID: UUID?
        if let division {
            let rows = try await tx.query(
                "SELECT id FROM divisions WHERE organisation_id = \(org.id) AND name = \(division.precomposedStringWithCanonicalMapping)",
                logger: self.logger)
            for try await id in rows.decode(UUID.self) { divisionID = id }
            guard divisionID != nil else { throw StoreError(.notFound, "\(org.name) has no division named \(division)") }
        }
        if try await exists(username: username, in: tx) { throw StoreError(.conflict, "the username \(username) is taken") }
        let id = UUID()
        try await tx.query("""
            INSERT INTO users (id, organisation_id, division_id, username, full_name, title, role, password_hash)
            VALUES (\(id), \(org.id), \(divisionID), \(username), \(fullName), \(title), \(role.rawValue), \(passwordHash))
            """, logger: self.logger)
        try await Audit.record(tx, actor: actor, action: "user.add", subjectType: "user", subjectID: id.uuidString,
                               details: ["username": username, "role": role.rawValue, "organisation": code.description], logger: self.logger)
        return id
    }

    public func exists(username: String) async throws -> Bool {
        try await client.withConnection { try await self.exists(username: username, in: $0) }
    }

    public func exists(username: String, in tx: PostgresConnection) async throws -> Bool {
        for try await _ in try await tx.query("SELECT 1 FROM users WHERE username = \(username)", logger: logger) { return true }
        return false
    }

    public func loginRecord(username: String) async throws -> LoginRecord? {
        let rows = try await client.query(
            "SELECT id, password_hash, failed_logins, locked_until FROM users WHERE username = \(username)", logger: logger)
        for try await (id, hash, failed, locked) in rows.decode((UUID, String, Int, Date?).self) {
            return LoginRecord(userID: id, passwordHash: hash, failedLogins: failed, lockedUntil: locked)
        }
        return nil
    }

    /// Counts a failed login; locks the account once `lockAfter` failures accumulate.
    public func recordFailedLogin(userID: UUID, lockAfter: Int, lockFor: Duration) async throws {
        let seconds = Double(lockFor.components.seconds)
        try await client.transaction(logger: logger) { tx in
            try await tx.query("""
                UPDATE users SET failed_logins = failed_logins + 1,
                    locked_until = CASE WHEN failed_logins + 1 >= \(lockAfter)
                        THEN now() + make_interval(secs => \(seconds)) ELSE locked_until END
                WHERE id = \(userID)
                """, logger: self.logger)
            try await Audit.record(tx, actor: userID, action: "session.login-failed", subjectType: "user",
                                   subjectID: userID.uuidString, logger: self.logger)
        }
    }

    public func profile(userID: UUID) async throws -> UserResponse? {
        let rows = try await client.query("""
            SELECT u.id, u.username, u.full_name, u.title, u.role, o.id, o.code, o.name, o.abbreviation, o.kind, d.name
            FROM users u JOIN organisations o ON o.id = u.organisation_id LEFT JOIN divisions d ON d.id = u.division_id
            WHERE u.id = \(userID)
            """, logger: logger)
        for try await r in rows.decode((UUID, String, String, String?, String, UUID, String, String, String, String, String?).self) {
            let org = OrganisationSummary(id: r.5, code: try AgencyCode(r.6), name: r.7, abbreviation: r.8,
                                          kind: OrganisationKind(rawValue: r.9) ?? .unit)
            return UserResponse(id: r.0, username: r.1, fullName: r.2, title: r.3, role: Role(rawValue: r.4) ?? .specialist,
                                organisation: org, division: r.10)
        }
        return nil
    }

    /// Registers a signing certificate for a person; the same certificate cannot belong to two people.
    public func addCertificate(username: String, _ cert: CertificateRegistration) async throws {
        try await client.transaction(logger: logger) { tx in
            var userID: UUID?
            for try await id in try await tx.query("SELECT id FROM users WHERE username = \(username)", logger: self.logger).decode(UUID.self) {
                userID = id
            }
            guard let userID else { throw StoreError(.notFound, "no account has the username \(username)") }
            for try await _ in try await tx.query(
                "SELECT 1 FROM user_certificates WHERE fingerprint_sha256 = \(cert.fingerprintSHA256)", logger: self.logger) {
                throw StoreError(.conflict, "this certificate is already registered")
            }
            try await tx.query("""
                INSERT INTO user_certificates (user_id, fingerprint_sha256, subject, issuer, serial, not_before, not_after, der)
                VALUES (\(userID), \(cert.fingerprintSHA256), \(cert.subject), \(cert.issuer), \(cert.serial),
                        \(cert.notBefore), \(cert.notAfter), \(ByteBuffer(bytes: cert.der)))
                """, logger: self.logger)
            try await Audit.record(tx, actor: nil, action: "user.add-certificate", subjectType: "user", subjectID: userID.uuidString,
                                   details: ["fingerprint": cert.fingerprintSHA256, "subject": cert.subject], logger: self.logger)
        }
    }
}
