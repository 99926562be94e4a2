import Foundation

/// Where an organisation stands in the provincial education sector.
public enum OrganisationKind: String, Sendable, Codable, CaseIterable {
    /// Sở Giáo dục và Đào tạo: the root of the tree.
    case department
    /// Phòng Giáo dục và Đào tạo of a district, under the department.
    case districtOffice = "district-office"
    /// A school, under a district office (or directly under the department for upper secondary).
    case school
    /// A unit directly under the department (đơn vị trực thuộc).
    case unit

    /// The kinds an organisation of this kind may have as parent; `[]` means it must be a root.
    public var allowedParents: Set<OrganisationKind> {
        switch self {
        case .department: []
        case .districtOffice, .unit: [.department]
        case .school: [.districtOffice, .department]
        }
    }
}

public struct Organisation: Sendable, Codable, Equatable, Identifiable {
    public var id: UUID
    public var code: AgencyCode
    public var name: String
    /// The abbreviation used in document symbols, e.g. `SGDĐT` in `12/QĐ-SGDĐT`.
    public var abbreviation: String
    public var kind: OrganisationKind
    public var parentID: UUID?

    public init(id: UUID, code: AgencyCode, name: String, abbreviation: String, kind: OrganisationKind, parentID: UUID?) {
        self.id = id
        self.code = code
        self.name = name
        self.abbreviation = abbreviation
        self.kind = kind
        self.parentID = parentID
    }
}

/// Validation of what an administrator types when adding an organisation.
public enum OrganisationRules {
    public static func name(_ raw: String) throws(TextRejection) -> String {
        try CleanText.line(raw, field: "name", maxLength: 255)
    }

    /// Symbol abbreviations are letters (Vietnamese included), digits, `&` and `-`, no spaces:
    /// they are pasted into `number/TYPE-ABBR`.
    public static func abbreviation(_ raw: String) throws(TextRejection) -> String {
        let text = try CleanText.line(raw, field: "abbreviation", maxLength: 20)
        guard text.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "&" }) else {
            throw TextRejection(field: "abbreviation", reason: "'\(text)' may hold only letters, digits and '&'")
        }
        return text
    }
}
