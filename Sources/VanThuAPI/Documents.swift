import Foundation
import VanThuCore

/// The `metadata` part of a document upload (multipart/form-data), as JSON.
public struct CreateDocumentRequest: Codable, Sendable {
    /// Decree 30 type code: `QĐ`, `BC`, `CV` (công văn), `TCG` (thư công)…
    public var type: String
    /// Trích yếu.
    public var subject: String
    public var urgency: Urgency?
    public var confidentiality: Confidentiality?
    public var dueDate: CivilDate?
    public var author: String?
    public var draftingUnit: String?
    /// Agency codes of the organisations the document is addressed to.
    public var recipients: [AgencyCode]?

    public init(type: String, subject: String, urgency: Urgency? = nil, confidentiality: Confidentiality? = nil,
                dueDate: CivilDate? = nil, author: String? = nil, draftingUnit: String? = nil, recipients: [AgencyCode]? = nil) {
        self.type = type
        self.subject = subject
        self.urgency = urgency
        self.confidentiality = confidentiality
        self.dueDate = dueDate
        self.author = author
        self.draftingUnit = draftingUnit
        self.recipients = recipients
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, subject, urgency, confidentiality, dueDate, author, draftingUnit, recipients
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        subject = try c.decode(String.self, forKey: .subject)
        urgency = try c.decodeIfPresent(Urgency.self, forKey: .urgency)
        confidentiality = try c.decodeIfPresent(Confidentiality.self, forKey: .confidentiality)
        dueDate = try c.decodeIfPresent(CivilDate.self, forKey: .dueDate)
        author = try c.decodeIfPresent(String.self, forKey: .author)
        draftingUnit = try c.decodeIfPresent(String.self, forKey: .draftingUnit)
        recipients = try c.decodeIfPresent([AgencyCode].self, forKey: .recipients)
    }
}

public struct FileResponse: Codable, Sendable, Equatable {
    @LowercaseUUID public var id: UUID
    public var role: FileRole
    /// Version of the main file (1, 2, …); attachments carry the version they were added with.
    public var version: Int
    public var name: String
    public var mediaType: String
    public var size: Int64
    /// Lower-case hex SHA-256 of the content.
    public var sha256: String
    public var createdAt: Date

    public init(id: UUID, role: FileRole, version: Int, name: String, mediaType: String, size: Int64, sha256: String, createdAt: Date) {
        self.id = id
        self.role = role
        self.version = version
        self.name = name
        self.mediaType = mediaType
        self.size = size
        self.sha256 = sha256
        self.createdAt = createdAt
    }
}

public struct DocumentResponse: Codable, Sendable, Equatable {
    @LowercaseUUID public var id: UUID
    public var type: String
    public var typeName: String
    public var subject: String
    public var urgency: Urgency
    public var confidentiality: Confidentiality
    public var status: DocumentStatus
    public var dueDate: CivilDate?
    public var author: String?
    public var draftingUnit: String?
    public var organisation: OrganisationSummary
    public var createdBy: String
    public var createdAt: Date
    public var recipients: [AgencyCode]
    /// The current main-file version.
    public var version: Int
    /// Every file of every version, oldest first.
    public var files: [FileResponse]

    public init(id: UUID, type: String, typeName: String, subject: String, urgency: Urgency, confidentiality: Confidentiality,
                status: DocumentStatus, dueDate: CivilDate?, author: String?, draftingUnit: String?,
                organisation: OrganisationSummary, createdBy: String, createdAt: Date, recipients: [AgencyCode],
                version: Int, files: [FileResponse]) {
        self.id = id
        self.type = type
        self.typeName = typeName
        self.subject = subject
        self.urgency = urgency
        self.confidentiality = confidentiality
        self.status = status
        self.dueDate = dueDate
        self.author = author
        self.draftingUnit = draftingUnit
        self.organisation = organisation
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.recipients = recipients
        self.version = version
        self.files = files
    }
}

public struct DocumentSummary: Codable, Sendable, Equatable {
    @LowercaseUUID public var id: UUID
    public var type: String
    public var subject: String
    public var urgency: Urgency
    public var confidentiality: Confidentiality
    public var status: DocumentStatus
    public var dueDate: CivilDate?
    public var organisationCode: AgencyCode
    public var createdAt: Date
    public var version: Int

    public init(id: UUID, type: String, subject: String, urgency: Urgency, confidentiality: Confidentiality,
                status: DocumentStatus, dueDate: CivilDate?, organisationCode: AgencyCode, createdAt: Date, version: Int) {
        self.id = id
        self.type = type
        self.subject = subject
        self.urgency = urgency
        self.confidentiality = confidentiality
        self.status = status
        self.dueDate = dueDate
        self.organisationCode = organisationCode
        self.createdAt = createdAt
        self.version = version
    }
}

public struct DocumentPage: Codable, Sendable {
    public var items: [DocumentSummary]
    /// Pass as `after` to get the next page; absent on the last page.
    public var nextCursor: String?

    public init(items: [DocumentSummary], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// RFC 9457 problem details, as every error of the API is answered.
public struct Problem: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    /// Stable machine-readable code, e.g. `unknown-document-type`.
    public var code: String

    public init(type: String = "about:blank", title: String, status: Int, detail: String?, code: String) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.code = code
    }
}

/// The JSON coders the server and the CLI share: ISO 8601 dates with offset.
public enum APICoding {
    public static func makeEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(ISO8601.vietnam(date))
        }
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static func makeDecoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = ISO8601.parse(text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not an ISO 8601 date-time with offset")
            }
            return date
        }
        return d
    }
}

public enum ISO8601 {
    // Format styles are Sendable values and cheap to apply; DateFormatter-based formatters cost
    // tens of microseconds to create, which showed up in every JSON response.
    private static let vietnamStyle = Date.ISO8601FormatStyle(timeZoneSeparator: .colon, timeZone: .vietnam)
    private static let fractional = Date.ISO8601FormatStyle(timeZoneSeparator: .colon, includingFractionalSeconds: true)
    private static let whole = Date.ISO8601FormatStyle(timeZoneSeparator: .colon)

    /// `2026-11-29T16:05:09+07:00`: what people read is in Vietnam time.
    public static func vietnam(_ date: Date) -> String {
        vietnamStyle.format(date)
    }

    public static func parse(_ text: String) -> Date? {
        if let d = try? fractional.parse(text) { return d }
        if let d = try? whole.parse(text) { return d }
        // A trailing Z, or an offset without a colon, is ISO 8601 too.
        let other = ISO8601DateFormatter()
        other.formatOptions = [.withInternetDateTime]
        return other.date(from: text)
    }
}
