import Foundation

/// Where a document stands. Later workflow states (review, signature, issue) extend this.
public enum DocumentStatus: String, Sendable, Codable, CaseIterable {
    /// Submitted by its drafter; visible inside the creating organisation only.
    case submitted
    /// Dispatched to its recipient organisations, which now see it.
    case sent
}

/// What a file is to its document.
public enum FileRole: String, Sendable, Codable, CaseIterable {
    /// The document itself; a new main file makes a new version.
    case main
    /// A separate attachment (phụ lục).
    case attachment
}

/// The Decree 30 metadata a drafter supplies, after validation.
public struct DocumentDraft: Sendable, Equatable {
    public var type: DocumentType
    public var subject: String
    public var urgency: Urgency
    public var confidentiality: Confidentiality
    public var dueDate: CivilDate?
    public var author: String?
    public var draftingUnit: String?
    public var recipients: [AgencyCode]

    public init(
        type: DocumentType, subject: String, urgency: Urgency = .normal,
        confidentiality: Confidentiality = .normal, dueDate: CivilDate? = nil,
        author: String? = nil, draftingUnit: String? = nil, recipients: [AgencyCode] = []
    ) {
        self.type = type
        self.subject = subject
        self.urgency = urgency
        self.confidentiality = confidentiality
        self.dueDate = dueDate
        self.author = author
        self.draftingUnit = draftingUnit
        self.recipients = recipients
    }
}

/// Validation of document metadata as a person or client supplies it.
public enum DocumentRules {
    /// Decree 30 Appendix VI caps Subject (trích yếu) at 500 characters.
    public static let subjectMaxLength = 500

    public static func subject(_ raw: String) throws(TextRejection) -> String {
        try CleanText.line(raw, field: "subject", maxLength: subjectMaxLength)
    }

    public static func type(_ code: String) throws(TextRejection) -> DocumentType {
        guard let type = DocumentTypeCatalogue.type(code: code) else {
            throw TextRejection(field: "type", reason: "'\(code)' is not a document type of Decree 30 Appendix III")
        }
        return type
    }

    /// A file name as shown to people: the last path component, no control characters or slashes.
    public static func fileName(_ raw: String) throws(TextRejection) -> String {
        let name = try CleanText.line(raw, field: "file name", maxLength: 255)
        guard !name.contains("/"), !name.contains("\\"), name != ".", name != ".." else {
            throw TextRejection(field: "file name", reason: "must not contain a path")
        }
        return name
    }
}
