/// Request bodies are decoded strictly: a field the API does not know is an error, not silently
/// dropped, so that a misspelt `dueDate` never becomes a document without a due date.
public protocol StrictlyDecodable: Decodable {
    associatedtype Keys: CodingKey & CaseIterable
}

public struct UnknownFieldError: Error, Sendable, CustomStringConvertible {
    public let field: String
    public var description: String { "unknown field '\(field)'" }
}

extension KeyedDecodingContainer {
    /// Throws when the JSON object holds a key outside `known`.
    public func rejectUnknownKeys<Known: CodingKey & CaseIterable>(_ known: Known.Type) throws {
        let names = Set(Known.allCases.map(\.stringValue))
        for key in allKeys where !names.contains(key.stringValue) {
            throw UnknownFieldError(field: key.stringValue)
        }
    }
}

/// A coding key that accepts any name, to see every key a JSON object holds.
public struct AnyCodingKey: CodingKey {
    public var stringValue: String
    public var intValue: Int?
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

extension Decoder {
    /// Throws `UnknownFieldError` if the object being decoded has a key outside `known`.
    public func rejectUnknownKeys<Known: CodingKey & CaseIterable>(_ known: Known.Type) throws {
        try container(keyedBy: AnyCodingKey.self).rejectUnknownKeys(known)
    }
}
