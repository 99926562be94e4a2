import Foundation
import VanThuCore

public struct LoginRequest: Codable, Sendable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case username, password }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        username = try c.decode(String.self, forKey: .username)
        password = try c.decode(String.self, forKey: .password)
    }
}

public struct SessionResponse: Codable, Sendable {
    /// Opaque bearer token; send it as `Authorization: Bearer <token>`.
    public var token: String
    public var expiresAt: Date
    public var user: UserResponse

    public init(token: String, expiresAt: Date, user: UserResponse) {
        self.token = token
        self.expiresAt = expiresAt
        self.user = user
    }
}

public struct OrganisationSummary: Codable, Sendable, Equatable {
    @LowercaseUUID public var id: UUID
    public var code: AgencyCode
    public var name: String
    public var abbreviation: String
    public var kind: OrganisationKind

    public init(id: UUID, code: AgencyCode, name: String, abbreviation: String, kind: OrganisationKind) {
        self.id = id
        self.code = code
        self.name = name
        self.abbreviation = abbreviation
        self.kind = kind
    }
}

public struct UserResponse: Codable, Sendable, Equatable {
    @LowercaseUUID public var id: UUID
    public var username: String
    public var fullName: String
    public var title: String?
    public var role: Role
    public var organisation: OrganisationSummary
    public var division: String?

    public init(id: UUID, username: String, fullName: String, title: String?, role: Role, organisation: OrganisationSummary, division: String?) {
        self.id = id
        self.username = username
        self.fullName = fullName
        self.title = title
        self.role = role
        self.organisation = organisation
        self.division = division
    }
}
