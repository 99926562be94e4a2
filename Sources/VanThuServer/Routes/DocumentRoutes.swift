import Foundation
import HTTPTypes
import Hummingbird
import VanThuAPI
import VanThuCore
import VanThuStore

/// Documents: create with files, list, show, new versions, download, send.
struct DocumentRoutes {
    let documents: DocumentRepository
    let configuration: ServerConfiguration

    func add(to group: RouterGroup<VanThuRequestContext>) {
        group.get("document-types", use: types)
        group.post("documents", use: create)
        group.get("documents", use: list)
        group.get("documents/:id", use: show)
        group.post("documents/:id/versions", use: addVersion)
        group.post("documents/:id/send", use: send)
        group.get("documents/:id/content", use: downloadMain)
        group.get("documents/:id/files/:fileID/content", use: downloadFile)
    }

    @Sendable func types(_ request: Request, context: VanThuRequestContext) async throws -> Response {
        struct Item: Encodable { let code: String; let name: String; let symbolAbbreviation: String? }
        return try JSONBody.response(DocumentTypeCatalogue.all.map { Item(code: $0.code, name: $0.name, symbolAbbreviation: $0.symbolAbbreviation) })
    }

    /// `multipart/form-data`: a `metadata` part (JSON, first), one `main` file, any `attachment`s.
    @Sendable func create(_ request: Request, context: VanThuRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        var source = try multipartSource(request)
        guard let first = try await source.reader.nextPart(), first.name == "metadata" else {
            throw ProblemError.badRequest("missing-metadata", "the first part of a document upload must be 'metadata' (JSON)")
        }
        let metadata = try JSONBody.decode(CreateDocumentRequest.self, from: try await source.readSmallPart(limit: 64 * 1024))
        let draft = try Self.validate(metadata)
        let created = try await documents.create(actor: actor, draft: draft, files: &source, maxFileSize: configuration.maxFileSize)
        var response = try JSONBody.response(created, status: .created)
        response.headers[.location] = "/api/v1/documents/\(created.id.uuidString.lowercased())"
        return response
    }

    static func validate(_ m: CreateDocumentRequest) throws -> DocumentDraft {
        guard let type = DocumentTypeCatalogue.type(code: m.type) else {
            throw ProblemError(.unprocessableContent, code: "unknown-document-type",
                               "'\(m.type)' is not a document type of Decree 30 Appendix III (GET /api/v1/document-types lists them)")
        }
        return DocumentDraft(
            type: type,
            subject: try DocumentRules.subject(m.subject),
            urgency: m.urgency ?? .normal,
            confidentiality: m.confidentiality ?? .normal,
            dueDate: m.dueDate,
            author: try m.author.map { a throws(TextRejection) in try CleanText.line(a, field: "author", maxLength: 255) },
            draftingUnit: try m.draftingUnit.map { a throws(TextRejection) in try CleanText.line(a, field: "draftingUnit", maxLength: 255) },
            recipients: m.recipients ?? [])
    }

    @Sendable func addVersion(_ request: Request, context: VanThuRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let id = try Self.documentID(context)
        var source = try multipartSource(request)
        _ = try await documents.addVersion(actor: actor, document: id, files: &source, maxFileSize: configuration.maxFileSize)
        guard let doc = try await documents.find(id, viewer: actor) else { throw ProblemError.notFound() }
        return try JSONBody.response(doc, status: .created)
    }

    @Sendable func send(_ request: Request, context: VanThuRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let id = try Self.documentID(context)
        guard actor.role == .clerk else {
            // Visible or not, a non-clerk learns nothing more than a 404 would tell.
            guard try await documents.find(id, viewer: actor) != nil else { throw ProblemError.notFound("no document \(id) is visible to you") }
            throw ProblemError(.forbidden, code: "clerk-only", "only a clerk (văn thư) sends documents")
        }
        try await documents.send(actor: actor, document: id)
        guard let doc = try await documents.find(id, viewer: actor) else { throw ProblemError.notFound() }
        return try JSONBody.response(doc)
    }

    @Sendable func show(_ request: Request, context: VanThuRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let id = try Self.documentID(context)
        guard let doc = try await documents.find(id, viewer: actor) else { throw ProblemError.notFound("no document \(id) is visible to you") }
        return try JSONBody.response(doc)
    }

    @Sendable func list(_ request: Request, context: VanThuRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let q = request.uri.queryParameters
        let known: Set<String> = ["type", "status", "urgency", "from", "to", "limit", "after"]
        if let unknown = q.map({ String($0.key) }).first(where: { !known.contains($0) }) {
            throw ProblemError.badRequest("unknown-parameter", "unknown query parameter '\(unknown)'")
        }
        var filter = DocumentFilter()
        if let t = q["type"] {
            guard let type = DocumentTypeCatalogue.type(code: String(t)) else {
                throw ProblemError.badRequest("unknown-document-type", "'\(t)' is not a document type of Decree 30 Appendix III")
            }
            filter.type = type
        }
        if let s = q["status"] {
            guard let status = DocumentStatus(rawValue: String(s)) else {
                throw ProblemError.badRequest("invalid-parameter", "status must be one of \(DocumentStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = status
        }
        if let u = q["urgency"] {
            guard let urgency = Urgency(text: String(u)) else {
                throw ProblemError.badRequest("invalid-parameter", "urgency must be one of \(Urgency.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.urgency = urgency
        }
        for (name, value) in [("from", q["from"]), ("to", q["to"])] {
            guard let value else { continue }
            guard let date = try? CivilDate(String(value)) else {
                throw ProblemError.badRequest("invalid-date", "\(name) must be a date of the form 2026-12-31")
            }
            if name == "from" { filter.from = date } else { filter.to = date }
        }
        var limit = 50
        if let l = q["limit"] {
            guard let n = Int(String(l)), (1...200).contains(n) else { throw ProblemError.badRequest("invalid-parameter", "limit must be 1 to 200") }
            limit = n
        }
        var cursor: DocumentCursor?
        if let a = q["after"] {
            guard let c = DocumentCursor(token: String(a)) else { throw ProblemError.badRequest("invalid-cursor", "the 'after' cursor is not one this server gave out") }
            cursor = c
        }
        return try JSONBody.response(try await documents.list(viewer: actor, filter: filter, limit: limit, after: cursor))
    }

    @Sendable func downloadMain(_ request: Request, context: VanThuRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let id = try Self.documentID(context)
        var version: Int?
        if let v = request.uri.queryParameters["version"] {
            guard let n = Int(String(v)), n >= 1 else { throw ProblemError.badRequest("invalid-parameter", "version must be a positive number") }
            version = n
        }
        guard let file = try await documents.file(document: id, viewer: actor, version: version) else {
            throw ProblemError.notFound(version.map { "the document has no version \($0) visible to you" } ?? "no document \(id) is visible to you")
        }
        return stream(file)
    }

    @Sendable func downloadFile(_ request: Request, context: VanThuRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let id = try Self.documentID(context)
        guard let fileID = UUID(uuidString: context.parameters.get("fileID") ?? "") else {
            throw ProblemError.badRequest("invalid-id", "a file id is a UUID")
        }
        guard let file = try await documents.file(document: id, viewer: actor, version: nil, fileID: fileID) else {
            throw ProblemError.notFound("no such file is visible to you")
        }
        return stream(file)
    }

    private func stream(_ file: StoredFile) -> Response {
        var headers: HTTPFields = [
            .contentType: file.file.mediaType,
            .contentLength: String(file.file.size),
            .contentDisposition: Self.contentDisposition(file.file.name),
        ]
        headers[HTTPField.Name("X-Content-SHA256")!] = file.file.sha256
        headers[.eTag] = "\"\(file.file.sha256)\""
        return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: documents.content(of: file)))
    }

    /// RFC 6266 with an RFC 5987 UTF-8 name for Vietnamese file names, and an ASCII fallback.
    static func contentDisposition(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" })
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    static func documentID(_ context: VanThuRequestContext) throws -> UUID {
        let raw = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: raw) else { throw ProblemError.badRequest("invalid-id", "'\(raw)' is not a document id (a UUID)") }
        return id
    }

    private func multipartSource(_ request: Request) throws -> MultipartUploadSource<RequestBody> {
        guard let boundary = MultipartReader<RequestBody>.boundary(contentType: request.headers[.contentType] ?? "") else {
            throw ProblemError(.unsupportedMediaType, code: "unsupported-media-type", "send documents as multipart/form-data")
        }
        return MultipartUploadSource(reader: try MultipartReader(boundary: boundary, body: request.body))
    }
}
