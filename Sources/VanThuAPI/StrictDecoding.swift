import Foundation

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

/// A UUID written as RFC 9562 §4 asks, in lower case (Foundation's encoder writes upper case), so
/// that ids in JSON, in URLs and in the CLI's tables read the same. Either case is read.
@propertyWrapper
public struct LowercaseUUID: Codable, Sendable, Hashable {
    public var wrappedValue: UUID

    public init(wrappedValue: UUID) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode(UUID.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue.uuidString.lowercased())
    }
}
