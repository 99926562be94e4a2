import Foundation

/// Độ khẩn: how fast a document must move.
public enum Urgency: String, Sendable, Codable, CaseIterable {
    case normal = "thuong"
    case urgent = "khan"
    case veryUrgent = "thuong-khan"
    case flash = "hoa-toc"

    public var vietnameseName: String {
        switch self {
        case .normal: "Thường"
        case .urgent: "Khẩn"
        case .veryUrgent: "Thượng khẩn"
        case .flash: "Hỏa tốc"
        }
    }

    /// Accepts the code (`thuong-khan`) or the Vietnamese words in any case (`Thượng khẩn`).
    public init?(text: String) {
        guard let match = Self.allCases.first(where: { Self.matches($0.rawValue, $0.vietnameseName, text) }) else { return nil }
        self = match
    }
}

/// Độ mật: confidentiality. Secret documents keep their own register and never leave by exchange.
public enum Confidentiality: String, Sendable, Codable, CaseIterable {
    case normal = "thuong"
    case secret = "mat"
    case topSecret = "toi-mat"
    case absoluteSecret = "tuyet-mat"

    public var vietnameseName: String {
        switch self {
        case .normal: "Thường"
        case .secret: "Mật"
        case .topSecret: "Tối mật"
        case .absoluteSecret: "Tuyệt mật"
        }
    }

    public init?(text: String) {
        guard let match = Self.allCases.first(where: { Self.matches($0.rawValue, $0.vietnameseName, text) }) else { return nil }
        self = match
    }
}

extension CaseIterable {
    static func matches(_ code: String, _ vietnamese: String, _ text: String) -> Bool {
        let t = text.precomposedStringWithCanonicalMapping.lowercased()
        return t == code || t == vietnamese.lowercased()
    }
}
