/// What a person does in their organisation. One role per account.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Văn thư: registers, numbers, seals and dispatches documents.
    case clerk
    /// Chuyên viên: drafts documents.
    case specialist
    /// Trưởng phòng/tổ: reviews drafts of their division.
    case head
    /// Giám đốc, phó giám đốc, hiệu trưởng: signs for the organisation.
    case leader
    /// Manages accounts and organisations.
    case admin

    public var vietnameseName: String {
        switch self {
        case .clerk: "Văn thư"
        case .specialist: "Chuyên viên"
        case .head: "Trưởng phòng/tổ"
        case .leader: "Lãnh đạo"
        case .admin: "Quản trị"
        }
    }
}
