import Foundation
import Logging
import NIOCore
import PostgresNIO
import VanThuAPI
import VanThuCore
import VanThuSigning

/// Filters of a document list; nil means "any".
public struct DocumentFilter: Sendable {
    public var type: DocumentType?
    public var status: DocumentStatus?
    public var urgency: Urgency?
    /// Created on or after this date (Vietnam time).
    public var from: CivilDate?
    /// Created on or before this date (Vietnam time).
    public var to: CivilDate?

    public init(type: DocumentType? = nil, status: DocumentStatus? = nil, urgency: Urgency? = nil, from: CivilDate? = nil, to: CivilDate? = nil) {
        self.type = type
        self.status = status
        self.urgency = urgency
        self.from = from
        self.to = to
    }
}

/// A position in a list ordered by (created_at, id) descending; opaque to clients.
public struct DocumentCursor: Sendable, Equatable {
    public let createdAtMicros: Int64
    public let id: UUID

    public var token: String {
        Data("\(createdAtMicros):\(id.uuidString)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public init(createdAtMicros: Int64, id: UUID) {
        self.createdAtMicros = createdAtMicros
        self.id = id
    }

    public init?(token: String) {
        var b64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard token.count <= 80, let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.init(createdAtMicros: micros, id: id)
    }
}

/// A file to hand out: its description and where its bytes are.
public struct StoredFile: Sendable {
    public let file: FileResponse
    public let blobID: UUID
    public let chunkCount: Int
}

public struct DocumentRepository: Sendable {
    let client: PostgresClient
    let logger: Logger
    let blobs: BlobStore

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        self.blobs = BlobStore(logger: logger)
    }

    /// Creates a document with its files in one transaction: either the document, every file and
    /// the audit event exist afterwards, or none of them does. Returns the document as stored,
    /// built from what the inserts returned rather than read back.
    ///
    /// The usual upload, one main file of at most one chunk, is read whole first (the upload has
    /// then ended, so nothing can interrupt it) and stored by one statement. Anything else streams
    /// chunk by chunk inside a transaction, as it arrives.
    public func create(actor: Principal, draft: DocumentDraft, files source: inout some FileUploadSource, maxFileSize: Int64) async throws -> DocumentResponse {
        let id = UUID()
        var upload = PrefetchedUploadSource(base: source)
        defer { source = upload.base }
        if let small = try await upload.prefetchSingleSmallFile(limit: min(Int64(BlobStore.chunkSize), maxFileSize)) {
            do {
                return try await createInOneStatement(id: id, actor: actor, draft: draft, file: small.header, content: small.content)
            } catch let error as PSQLError where error.code == .server && error.serverInfo?[.sqlState] == "23502"
                        && error.serverInfo?[.columnName] == "blob_id" {
                // Identical content committed by another upload after this statement's snapshot was
                // taken: the blob was neither visible nor insertable. The transaction below looks again.
                logger.debug("identical content stored concurrently; storing the document in a transaction", metadata: ["document": "\(id)"])
            }
        }
        return try await createStreaming(id: id, actor: actor, draft: draft, files: &upload, maxFileSize: maxFileSize)
    }

    /// The organisations of the draft's recipients, each an organisation other than the sender's.
    private static func recipientIDs(_ draft: DocumentDraft, actor: Principal, found byCode: [String: UUID]) throws -> [UUID] {
        var recipientIDs: [UUID] = []
        for code in draft.recipients {
            guard let found = byCode[code.description] else {
                throw StoreError(.invalid, "no organisation has the agency code \(code) given as a recipient")
            }
            guard found != actor.organisationID else { throw StoreError(.invalid, "a document cannot be addressed to its own organisation") }
            if !recipientIDs.contains(found) { recipientIDs.append(found) }
        }
        return recipientIDs
    }

    private static func recipientsQuery(_ draft: DocumentDraft) -> PostgresQuery {
        "SELECT id, code FROM organisations WHERE code = ANY(\(draft.recipients.map(\.description)))"
    }

    /// The document, its audit event, recipients, blob, chunk and file in one statement (one round
    /// trip, no explicit transaction). Identical content already stored is referenced, not stored again.
    private func createInOneStatement(id: UUID, actor: Principal, draft: DocumentDraft, file: IncomingFileHeader,
                                      content: ByteBuffer) async throws -> DocumentResponse {
        var byCode: [String: UUID] = [:]
        if !draft.recipients.isEmpty {
            // Organisations are not deleted; the foreign key would catch one that vanished meanwhile.
            for try await (orgID, code) in try await client.query(Self.recipientsQuery(draft), logger: logger).decode((UUID, String).self) {
                byCode[code] = orgID
            }
        }
        let recipientIDs = try Self.recipientIDs(draft, actor: actor, found: byCode)
        let sha = content.withUnsafeReadableBytes { bytes in
            var digest = StreamingDigest(.sha256)
            digest.update(bytes)
            return digest.finalize()
        }
        let statement = InsertSmallDocument(
            id: id, actor: actor, draft: draft, recipientIDs: recipientIDs, sha256: ByteBuffer(bytes: sha),
            size: Int64(content.readableBytes), blobID: UUID(), content: content, fileID: UUID(), file: file)
        var iterator = try await client.execute(statement, logger: logger).makeAsyncIterator()
        guard let row = try await iterator.next() else { throw StoreError(.invalid, "the document was not stored") }
        let stored = FileResponse(id: statement.fileID, role: file.role, version: 1, name: file.name, mediaType: file.mediaType,
                                  size: statement.size, sha256: sha.hexString, createdAt: row.1)
        return try Self.created(id: id, actor: actor, draft: draft, createdAt: row.0,
                                organisation: (row.2, row.3, row.4, row.5, row.6), files: [stored])
    }

    private static func created(id: UUID, actor: Principal, draft: DocumentDraft, createdAt: Date,
                                organisation o: (UUID, String, String, String, String), files: [FileResponse]) throws -> DocumentResponse {
        DocumentResponse(
            id: id, type: draft.type.code, typeName: draft.type.name, subject: draft.subject, urgency: draft.urgency,
            confidentiality: draft.confidentiality, status: .submitted, dueDate: draft.dueDate, author: draft.author,
            draftingUnit: draft.draftingUnit,
            organisation: OrganisationSummary(id: o.0, code: try agencyCode(o.1), name: o.2, abbreviation: o.3,
                                              kind: OrganisationKind(rawValue: o.4) ?? .unit),
            createdBy: actor.username, createdAt: createdAt, recipients: Array(Set(draft.recipients)).sorted(), version: 1,
            files: files.sorted { $0.role == $1.role ? false : $0.role == .main })
    }

    /// The general path: files stream in chunk by chunk inside one transaction.
    private func createStreaming(id: UUID, actor: Principal, draft: DocumentDraft, files source: inout some FileUploadSource,
                                 maxFileSize: Int64) async throws -> DocumentResponse {
        try await client.transaction(logger: logger) { tx in
            // All recipients in one query; every code must name an organisation other than the sender.
            var byCode: [String: UUID] = [:]
            if !draft.recipients.isEmpty {
                for try await (orgID, code) in try await tx.query(Self.recipientsQuery(draft), logger: self.logger).decode((UUID, String).self) {
                    byCode[code] = orgID
                }
            }
            let recipientIDs = try Self.recipientIDs(draft, actor: actor, found: byCode)
            // The document, its audit event and what the answer needs of the organisation, in one round trip.
            let inserted = try await tx.query("""
                WITH ins AS (
                    INSERT INTO documents (id, organisation_id, created_by, type_code, subject, urgency, confidentiality, status,
                                           due_date, author, drafting_unit, current_version)
                    VALUES (\(id), \(actor.organisationID), \(actor.userID), \(draft.type.code), \(draft.subject), \(draft.urgency.rawValue),
                            \(draft.confidentiality.rawValue), \(DocumentStatus.submitted.rawValue), \(draft.dueDate?.description)::date,
                            \(draft.author), \(draft.draftingUnit), 1)
                    RETURNING created_at, organisation_id
                ), audit AS (
                    INSERT INTO audit_events (actor_id, action, subject_type, subject_id, details)
                    VALUES (\(actor.userID), 'document.create', 'document', \(id.uuidString), jsonb_build_object('type', \(draft.type.code)::text))
                )
                SELECT ins.created_at, o.id, o.code, o.name, o.abbreviation, o.kind FROM ins JOIN organisations o ON o.id = ins.organisation_id
                """, logger: self.logger)
            var iterator = inserted.decode((Date, UUID, String, String, String, String).self).makeAsyncIterator()
            guard let row = try await iterator.next() else { throw StoreError(.invalid, "the document was not stored") }
            for org in recipientIDs {
                try await tx.query("INSERT INTO document_recipients (document_id, organisation_id) VALUES (\(id), \(org))", logger: self.logger)
            }
            var files: [FileResponse] = []
            while let header = try await source.nextFile() {
                guard header.role != .main || !files.contains(where: { $0.role == .main }) else {
                    throw StoreError(.invalid, "a new document takes exactly one main file")
                }
                files.append(try await self.storeFile(tx, document: id, header: header, version: 1, actor: actor, source: &source, maxFileSize: maxFileSize))
            }
            guard files.contains(where: { $0.role == .main }) else {
                throw StoreError(.invalid, "a new document needs its main file (the part named 'main')")
            }
            return try Self.created(id: id, actor: actor, draft: draft, createdAt: row.0,
                                    organisation: (row.1, row.2, row.3, row.4, row.5), files: files)
        }
    }

    /// Adds a new main-file version (and any attachments that come with it).
    public func addVersion(actor: Principal, document: UUID, files source: inout some FileUploadSource, maxFileSize: Int64) async throws -> Int {
        try await client.transaction(logger: logger) { tx in
            // Lock the document row so that two new versions at once get distinct numbers.
            var current: Int?
            for try await (org, version, status) in try await tx.query(
                "SELECT organisation_id, current_version, status FROM documents WHERE id = \(document) FOR UPDATE", logger: self.logger
            ).decode((UUID, Int, String).self) {
                // Only the creating organisation changes a document; others learn nothing.
                guard org == actor.organisationID else {
                    throw StoreError(.notFound, "no document \(document) is visible to you")
                }
                // Recipients must never find the content changed under them after dispatch.
                guard status == DocumentStatus.submitted.rawValue else {
                    throw StoreError(.conflict, "the document has been sent; a change needs a replacement document")
                }
                current = version
            }
            guard let current else { throw StoreError(.notFound, "no document \(document) is visible to you") }
            let next = current + 1
            var mainFiles = 0
            while let header = try await source.nextFile() {
                if header.role == .main { mainFiles += 1 }
                guard mainFiles <= 1 else { throw StoreError(.invalid, "a new version takes exactly one main file") }
                try await self.storeFile(tx, document: document, header: header, version: next, actor: actor, source: &source, maxFileSize: maxFileSize)
            }
            guard mainFiles == 1 else { throw StoreError(.invalid, "a new version needs its main file (the part named 'main')") }
            try await tx.query("UPDATE documents SET current_version = \(next), updated_at = now() WHERE id = \(document)", logger: self.logger)
            try await Audit.record(tx, actor: actor.userID, action: "document.new-version", subjectType: "document",
                                   subjectID: document.uuidString, details: ["version": String(next)], logger: self.logger)
            return next
        }
    }

    @discardableResult
    private func storeFile(_ tx: PostgresConnection, document: UUID, header: IncomingFileHeader, version: Int, actor: Principal,
                           source: inout some FileUploadSource, maxFileSize: Int64) async throws -> FileResponse {
        let blob = try await blobs.write(tx, from: &source, maxSize: maxFileSize)
        let fileID = UUID()
        let rows = try await tx.query("""
            INSERT INTO document_files (id, document_id, role, version, name, media_type, blob_id, created_by)
            VALUES (\(fileID), \(document), \(header.role.rawValue), \(version), \(header.name), \(header.mediaType), \(blob.id), \(actor.userID))
            RETURNING created_at
            """, logger: logger)
        var iterator = rows.decode(Date.self).makeAsyncIterator()
        let createdAt = try await iterator.next() ?? Date()
        return FileResponse(id: fileID, role: header.role, version: version, name: header.name, mediaType: header.mediaType,
                            size: blob.size, sha256: blob.sha256.hexString, createdAt: createdAt)
    }

    /// Dispatches the document to its recipients, who see it from now on.
    public func send(actor: Principal, document: UUID) async throws {
        try await client.transaction(logger: logger) { tx in
            var status: String?
            for try await (org, s) in try await tx.query(
                "SELECT organisation_id, status FROM documents WHERE id = \(document) FOR UPDATE", logger: self.logger
            ).decode((UUID, String).self) {
                guard org == actor.organisationID else { throw StoreError(.notFound, "no document \(document) is visible to you") }
                status = s
            }
            guard let status else { throw StoreError(.notFound, "no document \(document) is visible to you") }
            guard status == DocumentStatus.submitted.rawValue else { throw StoreError(.conflict, "the document has already been sent") }
            var count = 0
            for try await n in try await tx.query(
                "SELECT count(*)::int FROM document_recipients WHERE document_id = \(document)", logger: self.logger).decode(Int.self) { count = n }
            guard count > 0 else { throw StoreError(.invalid, "the document has no recipients to send it to") }
            try await tx.query("UPDATE document_recipients SET sent_at = now() WHERE document_id = \(document)", logger: self.logger)
            try await tx.query("UPDATE documents SET status = \(DocumentStatus.sent.rawValue), updated_at = now() WHERE id = \(document)",
                               logger: self.logger)
            try await Audit.record(tx, actor: actor.userID, action: "document.send", subjectType: "document",
                                   subjectID: document.uuidString, details: ["recipients": String(count)], logger: self.logger)
        }
    }

    // MARK: Reading

    /// The document with its recipients and files if the viewer sees it (the rule of README.md:
    /// created by the viewer's organisation, or sent to it), in two queries.
    public func find(_ id: UUID, viewer: Principal) async throws -> DocumentResponse? {
        let rows = try await client.query("""
            SELECT d.id, d.type_code, d.subject, d.urgency, d.confidentiality, d.status, d.due_date::text, d.author, d.drafting_unit,
                   o.id, o.code, o.name, o.abbreviation, o.kind, u.username, d.created_at, d.current_version,
                   ARRAY(SELECT ro.code FROM document_recipients r JOIN organisations ro ON ro.id = r.organisation_id
                         WHERE r.document_id = d.id ORDER BY ro.code)
            FROM documents d JOIN organisations o ON o.id = d.organisation_id JOIN users u ON u.id = d.created_by
            WHERE d.id = \(id) AND (d.organisation_id = \(viewer.organisationID) OR EXISTS (
                SELECT 1 FROM document_recipients r WHERE r.document_id = d.id AND r.organisation_id = \(viewer.organisationID) AND r.sent_at IS NOT NULL))
            """, logger: logger)
        typealias Row = (UUID, String, String, String, String, String, String?, String?, String?, UUID, String, String, String, String, String, Date, Int, [String])
        var iterator = rows.decode(Row.self).makeAsyncIterator()
        guard let r = try await iterator.next() else { return nil }
        return DocumentResponse(
            id: r.0, type: r.1, typeName: DocumentTypeCatalogue.type(code: r.1)?.name ?? r.1, subject: r.2,
            urgency: Urgency(rawValue: r.3) ?? .normal, confidentiality: Confidentiality(rawValue: r.4) ?? .normal,
            status: DocumentStatus(rawValue: r.5) ?? .submitted, dueDate: try Self.civilDate(r.6), author: r.7, draftingUnit: r.8,
            organisation: OrganisationSummary(id: r.9, code: try Self.agencyCode(r.10), name: r.11, abbreviation: r.12,
                                              kind: OrganisationKind(rawValue: r.13) ?? .unit),
            createdBy: r.14, createdAt: r.15, recipients: try r.17.map(Self.agencyCode), version: r.16,
            files: try await files(of: id).map(\.file))
    }

    // Kept out of line: typed-throws initialisers inlined into async functions crash the Swift 6.3
    // optimiser in release builds (see OrganisationRepository.organisation).
    @inline(never)
    static func agencyCode(_ text: String) throws -> AgencyCode { try AgencyCode(text) }

    @inline(never)
    static func civilDate(_ text: String?) throws -> CivilDate? { try text.map { t throws(CivilDate.Invalid) in try CivilDate(t) } }

    func files(of document: UUID) async throws -> [StoredFile] {
        let rows = try await client.query("""
            SELECT f.id, f.role, f.version, f.name, f.media_type, b.size, b.sha256, f.created_at, b.id, b.chunk_count
            FROM document_files f JOIN blobs b ON b.id = f.blob_id WHERE f.document_id = \(document)
            ORDER BY f.version, f.role DESC, f.created_at, f.id
            """, logger: logger)
        var out: [StoredFile] = []
        for try await r in rows.decode((UUID, String, Int, String, String, Int64, ByteBuffer, Date, UUID, Int).self) {
            out.append(StoredFile(
                file: FileResponse(id: r.0, role: FileRole(rawValue: r.1) ?? .attachment, version: r.2, name: r.3, mediaType: r.4,
                                   size: r.5, sha256: Array(r.6.readableBytesView).hexString, createdAt: r.7),
                blobID: r.8, chunkCount: r.9))
        }
        return out
    }

    /// The main file of a version (the current one when nil), or a file by id, if the viewer sees the document.
    public func file(document: UUID, viewer: Principal, version: Int?, fileID: UUID? = nil) async throws -> StoredFile? {
        guard let doc = try await find(document, viewer: viewer) else { return nil }
        let all = try await files(of: document)
        if let fileID { return all.first { $0.file.id == fileID } }
        let wanted = version ?? doc.version
        return all.first { $0.file.role == .main && $0.file.version == wanted }
    }

    public func content(of file: StoredFile) -> BlobChunks {
        blobs.read(client, blob: file.blobID, chunkCount: file.chunkCount)
    }

    /// One page of the documents the viewer sees, newest first, after `cursor`.
    public func list(viewer: Principal, filter: DocumentFilter, limit: Int, after cursor: DocumentCursor?) async throws -> DocumentPage {
        let limit = max(1, min(limit, 200))
        let afterMicros = cursor?.createdAtMicros
        let afterID = cursor?.id
        let rows = try await client.query("""
            SELECT d.id, d.type_code, d.subject, d.urgency, d.confidentiality, d.status, d.due_date::text, o.code, d.created_at,
                   (extract(epoch from d.created_at) * 1000000)::bigint, d.current_version
            FROM documents d JOIN organisations o ON o.id = d.organisation_id
            WHERE (d.organisation_id = \(viewer.organisationID) OR EXISTS (
                      SELECT 1 FROM document_recipients r WHERE r.document_id = d.id
                      AND r.organisation_id = \(viewer.organisationID) AND r.sent_at IS NOT NULL))
              AND (\(filter.type?.code)::text IS NULL OR d.type_code = \(filter.type?.code))
              AND (\(filter.status?.rawValue)::text IS NULL OR d.status = \(filter.status?.rawValue))
              AND (\(filter.urgency?.rawValue)::text IS NULL OR d.urgency = \(filter.urgency?.rawValue))
              AND (\(filter.from?.description)::date IS NULL OR d.created_at >= (\(filter.from?.description)::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))
              AND (\(filter.to?.description)::date IS NULL OR d.created_at < ((\(filter.to?.description)::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))
              AND (\(afterMicros)::bigint IS NULL OR (d.created_at, d.id) < (to_timestamp(\(afterMicros)::bigint / 1000000.0), \(afterID)::uuid))
            ORDER BY d.created_at DESC, d.id DESC
            LIMIT \(limit + 1)
            """, logger: logger)
        var items: [DocumentSummary] = []
        var cursors: [DocumentCursor] = []
        for try await r in rows.decode((UUID, String, String, String, String, String, String?, String, Date, Int64, Int).self) {
            items.append(DocumentSummary(
                id: r.0, type: r.1, subject: r.2, urgency: Urgency(rawValue: r.3) ?? .normal,
                confidentiality: Confidentiality(rawValue: r.4) ?? .normal, status: DocumentStatus(rawValue: r.5) ?? .submitted,
                dueDate: try Self.civilDate(r.6), organisationCode: try Self.agencyCode(r.7),
                createdAt: r.8, version: r.10))
            cursors.append(DocumentCursor(createdAtMicros: r.9, id: r.0))
        }
        var next: String?
        if items.count > limit {
            items.removeLast()
            next = cursors[limit - 1].token
        }
        return DocumentPage(items: items, nextCursor: next)
    }
}

/// The document, its audit event, recipients, blob, chunk and file of a small upload in one
/// statement, prepared once per connection: its seven parts are parsed and planned once, not per
/// document. Identical content already stored is referenced instead of stored again; identical
/// content committed by another upload after this statement began leaves `blob_id` null, and the
/// statement fails with a not-null violation (the caller then stores the document in a transaction).
struct InsertSmallDocument: PostgresPreparedStatement {
    static let sql = """
        WITH ins AS (
            INSERT INTO documents (id, organisation_id, created_by, type_code, subject, urgency, confidentiality, status,
                                   due_date, author, drafting_unit, current_version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10, $11, 1)
            RETURNING created_at, organisation_id
        ), audit AS (
            INSERT INTO audit_events (actor_id, action, subject_type, subject_id, details)
            VALUES ($3, 'document.create', 'document', $21, jsonb_build_object('type', $4))
        ), recipients AS (
            INSERT INTO document_recipients (document_id, organisation_id) SELECT $1, unnest($12::uuid[])
        ), existing AS (
            SELECT id FROM blobs WHERE sha256 = $13
        ), blob AS (
            INSERT INTO blobs (id, sha256, size, chunk_count)
            SELECT $15, $13, $14, 1 WHERE NOT EXISTS (SELECT FROM existing)
            ON CONFLICT (sha256) DO NOTHING RETURNING id
        ), chunk AS (
            INSERT INTO blob_chunks (blob_id, seq, data) SELECT id, 0, $16 FROM blob
        ), file AS (
            INSERT INTO document_files (id, document_id, role, version, name, media_type, blob_id, created_by)
            VALUES ($17, $1, $18, 1, $19, $20, COALESCE((SELECT id FROM blob), (SELECT id FROM existing)), $3)
            RETURNING created_at
        )
        SELECT ins.created_at, file.created_at, o.id, o.code, o.name, o.abbreviation, o.kind
        FROM ins CROSS JOIN file JOIN organisations o ON o.id = ins.organisation_id
        """
    // Given, not inferred from the first document's values, which may be nulls.
    static let bindingDataTypes: [PostgresDataType] = [
        .uuid, .uuid, .uuid, .text, .text, .text, .text, .text, .text, .text, .text,
        .uuidArray, .bytea, .int8, .uuid, .bytea, .uuid, .text, .text, .text, .text,
    ]
    typealias Row = (Date, Date, UUID, String, String, String, String)

    let id: UUID
    let actor: Principal
    let draft: DocumentDraft
    let recipientIDs: [UUID]
    let sha256: ByteBuffer
    let size: Int64
    let blobID: UUID
    let content: ByteBuffer
    let fileID: UUID
    let file: IncomingFileHeader

    func makeBindings() throws -> PostgresBindings {
        var b = PostgresBindings(capacity: Self.bindingDataTypes.count)
        b.append(id)
        b.append(actor.organisationID)
        b.append(actor.userID)
        b.append(draft.type.code)
        b.append(draft.subject)
        b.append(draft.urgency.rawValue)
        b.append(draft.confidentiality.rawValue)
        b.append(DocumentStatus.submitted.rawValue)
        b.append(draft.dueDate?.description)
        b.append(draft.author)
        b.append(draft.draftingUnit)
        b.append(recipientIDs)
        b.append(sha256)
        b.append(size)
        b.append(blobID)
        b.append(content)
        b.append(fileID)
        b.append(file.role.rawValue)
        b.append(file.name)
        b.append(file.mediaType)
        // As the other audit events name their subjects (`UUID.uuidString`).
        b.append(id.uuidString)
        return b
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
