import Foundation
import Logging
import PostgresNIO
import VanThuAPI
import VanThuCore

public struct OrganisationRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Adds an organisation under its parent. Refuses a duplicate code, an unknown parent or a
    /// parent of the wrong kind (a school under a school). Idempotent callers use `find` first.
    @discardableResult
    public func add(code: AgencyCode, name: String, abbreviation: String, kind: OrganisationKind,
                    parentCode: AgencyCode?, actor: UUID? = nil) async throws -> Organisation {
        try await client.transaction(logger: logger) { tx in
            try await self.add(code: code, name: name, abbreviation: abbreviation, kind: kind, parentCode: parentCode, actor: actor, in: tx)
        }
    }

    /// `add` inside the caller's transaction (`PostgresClient.transaction`), for bulk work such as seeding.
    @discardableResult
    public func add(code: AgencyCode, name: String, abbreviation: String, kind: OrganisationKind,
                    parentCode: AgencyCode?, actor: UUID? = nil, in tx: PostgresConnection) async throws -> Organisation {
        let name = try OrganisationRules.name(name)
        let abbreviation = try OrganisationRules.abbreviation(abbreviation)
        var parentID: UUID?
        if let parentCode {
            guard let parent = try await self.find(code: parentCode, on: tx) else {
                throw StoreError(.notFound, "no organisation has the code \(parentCode)")
            }
            guard kind.allowedParents.contains(parent.kind) else {
                throw StoreError(.invalid, "a \(kind.rawValue) cannot be placed under a \(parent.kind.rawValue)")
            }
            parentID = parent.id
        } else if !kind.allowedParents.isEmpty {
            throw StoreError(.invalid, "a \(kind.rawValue) needs a parent organisation (--parent)")
        }
        if try await self.find(code: code, on: tx) != nil {
            throw StoreError(.conflict, "an organisation with the code \(code) already exists")
        }
        let id = UUID()
        try await tx.query("""
            INSERT INTO organisations (id, code, name, abbreviation, kind, parent_id)
            VALUES (\(id), \(code.description), \(name), \(abbreviation), \(kind.rawValue), \(parentID))
            """, logger: self.logger)
        try await Audit.record(tx, actor: actor, action: "organisation.add", subjectType: "organisation",
                               subjectID: id.uuidString, details: ["code": code.description, "name": name], logger: self.logger)
        return Organisation(id: id, code: code, name: name, abbreviation: abbreviation, kind: kind, parentID: parentID)
    }

    public func find(code: AgencyCode) async throws -> Organisation? {
        try await client.withConnection { try await self.find(code: code, on: $0) }
    }

    public func find(code: AgencyCode, on connection: PostgresConnection) async throws -> Organisation? {
        let rows = try await connection.query(
            "SELECT id, code, name, abbreviation, kind, parent_id FROM organisations WHERE code = \(code.description)",
            logger: logger)
        var iterator = rows.decode((UUID, String, String, String, String, UUID?).self).makeAsyncIterator()
        guard let row = try await iterator.next() else { return nil }
        return try Self.organisation(row)
    }

    // Not inlined: inlining this typed-throws call into the async caller crashes the Swift 6.3
    // optimiser (LLVM coroutine splitting around swifterror) in release builds.
    @inline(never)
    static func organisation(_ row: (UUID, String, String, String, String, UUID?)) throws -> Organisation {
        guard let kind = OrganisationKind(rawValue: row.4) else { throw StoreError(.invalid, "unknown organisation kind in the database") }
        return Organisation(id: row.0, code: try AgencyCode(row.1), name: row.2, abbreviation: row.3, kind: kind, parentID: row.5)
    }

    /// Adds an internal division (phòng, ban, tổ) unless it already exists; returns its id.
    @discardableResult
    public func ensureDivision(organisation: UUID, name: String, abbreviation: String) async throws -> UUID {
        try await client.transaction(logger: logger) { tx in
            try await self.ensureDivision(organisation: organisation, name: name, abbreviation: abbreviation, in: tx)
        }
    }

    /// `ensureDivision` inside the caller's transaction.
    @discardableResult
    public func ensureDivision(organisation: UUID, name: String, abbreviation: String, in tx: PostgresConnection) async throws -> UUID {
        let name = try CleanText.line(name, field: "division name", maxLength: 255)
        let abbreviation = try OrganisationRules.abbreviation(abbreviation)
        let existing = try await tx.query(
            "SELECT id FROM divisions WHERE organisation_id = \(organisation) AND name = \(name)", logger: self.logger)
        for try await (id) in existing.decode(UUID.self) { return id }
        let id = UUID()
        try await tx.query("""
            INSERT INTO divisions (id, organisation_id, name, abbreviation) VALUES (\(id), \(organisation), \(name), \(abbreviation))
            """, logger: self.logger)
        try await Audit.record(tx, actor: nil, action: "division.add", subjectType: "division", subjectID: id.uuidString,
                               details: ["name": name], logger: self.logger)
        return id
    }

    public func count() async throws -> Int {
        for try await n in try await client.query("SELECT count(*)::int FROM organisations", logger: logger).decode(Int.self) { return n }
        return 0
    }
}

extension OrganisationSummary {
    init(_ o: Organisation) {
        self.init(id: o.id, code: o.code, name: o.name, abbreviation: o.abbreviation, kind: o.kind)
    }
}
