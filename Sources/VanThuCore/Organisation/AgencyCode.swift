/// An agency identification code in the QCVN 102:2016 form `V1V2V3.Z1Z2.Y1Y2.MX1X2`
/// (levels 4 . 3 . 2 . 1, 13 characters), e.g. `000.00.31.H56` for a provincial department.
///
/// Decision 20/2020/QĐ-TTg writes the groups level 1 first (`H56.31.00.000`); `init(_:)` reads
/// both orders and `description` always writes the QCVN order, which is what edXML carries.
public struct AgencyCode: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// Level 4, 3 and 2 groups (three, two and two digits) and the level-1 group (letter + two digits).
    public let level4: String
    public let level3: String
    public let level2: String
    public let level1: String

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let text: String
        public var description: String {
            "'\(text)' is not an agency code of the form 000.00.00.H56 (QCVN 102:2016)"
        }
    }

    public init(_ text: String) throws(Invalid) {
        let groups = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard groups.count == 4 else { throw Invalid(text: text) }
        if Self.isLevel1(groups[3]), Self.isDigits(groups[0], 3), Self.isDigits(groups[1], 2), Self.isDigits(groups[2], 2) {
            (level4, level3, level2, level1) = (groups[0], groups[1], groups[2], groups[3])
        } else if Self.isLevel1(groups[0]), Self.isDigits(groups[1], 2), Self.isDigits(groups[2], 2), Self.isDigits(groups[3], 3) {
            (level1, level2, level3, level4) = (groups[0], groups[1], groups[2], groups[3])
        } else {
            throw Invalid(text: text)
        }
    }

    public var description: String { "\(level4).\(level3).\(level2).\(level1)" }

    /// The Decision 20/2020 order, level 1 first.
    public var decision20Form: String { "\(level1).\(level2).\(level3).\(level4)" }

    public static func < (a: AgencyCode, b: AgencyCode) -> Bool { a.description < b.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func isDigits(_ s: String, _ count: Int) -> Bool {
        s.utf8.count == count && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    private static func isLevel1(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        return bytes.count == 3 && bytes[0] >= 0x41 && bytes[0] <= 0x5A && isDigits(String(s.dropFirst()), 2)
    }
}
