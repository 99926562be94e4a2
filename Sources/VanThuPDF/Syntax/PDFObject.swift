/// An indirect object's number and generation.
public struct PDFObjectID: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public var number: Int
    public var generation: Int

    public init(_ number: Int, _ generation: Int = 0) {
        self.number = number
        self.generation = generation
    }

    public static func < (lhs: PDFObjectID, rhs: PDFObjectID) -> Bool {
        (lhs.number, lhs.generation) < (rhs.number, rhs.generation)
    }

    public var description: String { "\(number) \(generation) R" }
}

/// A PDF object (ISO 32000-1 §7.3).
///
/// Names are kept as `String` whose scalars are the name's bytes (0–255), so
/// any name, valid UTF-8 or not, is written back exactly as it was read.
public indirect enum PDFObject: Sendable, Equatable {
    case null
    case boolean(Bool)
    case integer(Int)
    case real(Double)
    case string([UInt8])
    case name(String)
    case array([PDFObject])
    case dictionary(PDFDictionary)
    case reference(PDFObjectID)
    case stream(PDFStream)

    public var dictionary: PDFDictionary? {
        switch self {
        case .dictionary(let d): d
        case .stream(let s): s.dictionary
        default: nil
        }
    }

    public var array: [PDFObject]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var integer: Int? {
        switch self {
        case .integer(let i): i
        case .real(let r) where r == r.rounded() && abs(r) < 1e15: Int(r)
        default: nil
        }
    }

    public var number: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .real(let r): r
        default: nil
        }
    }

    public var name: String? {
        if case .name(let n) = self { return n }
        return nil
    }

    public var stringBytes: [UInt8]? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var reference: PDFObjectID? {
        if case .reference(let r) = self { return r }
        return nil
    }

    public var stream: PDFStream? {
        if case .stream(let s) = self { return s }
        return nil
    }
}

/// A PDF dictionary. Keys are names without the slash.
public struct PDFDictionary: Sendable, Equatable {
    public private(set) var entries: [String: PDFObject]

    public init(_ entries: [String: PDFObject] = [:]) {
        self.entries = entries
    }

    public subscript(key: String) -> PDFObject? {
        get { entries[key] }
        set {
            // A null value is equivalent to an absent key (ISO 32000-1 §7.3.7).
            if let newValue, newValue != .null { entries[key] = newValue } else { entries[key] = nil }
        }
    }

    public var keys: [String] { entries.keys.sorted() }

    /// The dictionary without the given keys, for comparing revisions.
    func removing(_ names: Set<String>) -> PDFDictionary {
        PDFDictionary(entries.filter { !names.contains($0.key) })
    }
}

/// A stream: its dictionary and where its raw (still encoded) bytes are.
public struct PDFStream: Sendable, Equatable {
    public enum Storage: Sendable, Equatable {
        /// A byte range of the parsed file.
        case file(Range<Int>)
        /// Bytes held in memory, for streams built by VanThu.
        case bytes([UInt8])
    }

    public var dictionary: PDFDictionary
    public var storage: Storage

    public init(dictionary: PDFDictionary, data: [UInt8]) {
        self.dictionary = dictionary
        self.storage = .bytes(data)
    }

    init(dictionary: PDFDictionary, fileRange: Range<Int>) {
        self.dictionary = dictionary
        self.storage = .file(fileRange)
    }
}

extension String {
    /// A PDF name or other byte string as Latin-1 scalars, which round-trips any bytes.
    init(pdfBytes bytes: some Sequence<UInt8>) {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b)) }
        self = String(s)
    }

    /// The bytes of a name built with `init(pdfBytes:)`; scalars above 255 become UTF-8.
    var pdfBytes: [UInt8] {
        var out = [UInt8]()
        for scalar in unicodeScalars {
            if scalar.value < 256 { out.append(UInt8(scalar.value)) } else { out.append(contentsOf: Array(String(scalar).utf8)) }
        }
        return out
    }
}
