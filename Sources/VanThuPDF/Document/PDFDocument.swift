#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VanThuSigning

/// A parsed PDF, read lazily from a file (never whole) or a byte array.
///
/// Opening reads only the cross-reference sections; objects are parsed when
/// asked for and cached. Safe to share between tasks.
public struct PDFDocument: Sendable {
    let storage: Storage
    let crossReference: CrossReference
    public let limits: PDFLimits

    /// Opens the file at `url`; objects are read from it when needed.
    public init(contentsOf url: URL, limits: PDFLimits = PDFLimits()) throws {
        try self.init(bytes: PDFBytes(readingFileAt: url.path), limits: limits)
    }

    /// Parses a PDF held in memory.
    public init(bytes: [UInt8], limits: PDFLimits = PDFLimits()) throws {
        try self.init(bytes: PDFBytes(copying: bytes), limits: limits)
    }

    init(bytes: PDFBytes, limits: PDFLimits) throws {
        guard bytes.count >= 8, bytes.firstIndex(of: Array("%PDF-".utf8), in: 0..<min(bytes.count, 1024)) != nil else {
            throw PDFError(.notAPDF, "The input is not a PDF: it has no '%PDF-' header.")
        }
        let storage = Storage(bytes: bytes, limits: limits)
        self.storage = storage
        self.limits = limits
        crossReference = try CrossReference.load(
            from: bytes, limits: limits,
            parseObjectAt: { offset in
                var visiting = Set<PDFObjectID>()
                return try storage.parseIndirectObject(at: offset, expected: nil, crossReference: nil, visiting: &visiting)
            },
            decode: { try storage.decodedData(of: $0) })
        if crossReference.trailer["Encrypt"] != nil {
            throw PDFError(.encrypted, "The PDF is encrypted; VanThu signs and verifies only unencrypted PDFs.")
        }
        guard crossReference.trailer["Root"]?.reference != nil else {
            throw PDFError(.crossReference, "The PDF's trailer has no /Root catalog reference.")
        }
    }

    /// Length of the file in bytes.
    public var byteCount: Int { storage.bytes.count }

    /// The newest trailer (for a cross-reference stream: its dictionary less the stream keys).
    public var trailer: PDFDictionary { crossReference.trailer }

    /// True when the newest cross-reference section is a stream rather than a table.
    public var usesCrossReferenceStreams: Bool { crossReference.usesStreams }

    /// The object number an update should use next (the trailer's /Size, or more).
    public var nextObjectNumber: Int {
        max(trailer["Size"]?.integer ?? 0, crossReference.highestObjectNumber + 1)
    }

    public var catalogID: PDFObjectID { trailer["Root"]!.reference! }

    public func catalog() throws -> PDFDictionary {
        guard let catalog = try object(catalogID).dictionary else {
            throw PDFError(.crossReference, "The PDF's catalog (\(catalogID)) is not a dictionary.")
        }
        return catalog
    }

    /// The object with this identifier, or `.null` if it is free or absent (ISO 32000-1 §7.3.10).
    public func object(_ id: PDFObjectID) throws -> PDFObject {
        var visiting = Set<PDFObjectID>()
        return try storage.object(id, crossReference: crossReference, visiting: &visiting)
    }

    /// Follows references until a direct object.
    public func resolve(_ object: PDFObject?) throws -> PDFObject {
        var current = object ?? .null
        var seen = Set<PDFObjectID>()
        while case .reference(let id) = current {
            guard seen.insert(id).inserted else {
                throw PDFError(.referenceLoop, "Object \(id) refers to itself through a chain of references.")
            }
            guard seen.count <= limits.maxResolutionDepth else {
                throw PDFError.limit("a chain of more than \(limits.maxResolutionDepth) references")
            }
            current = try self.object(id)
        }
        return current
    }

    /// The stream's bytes after its filters (FlateDecode only; others are refused).
    public func decodedData(of stream: PDFStream) throws -> [UInt8] {
        try storage.decodedData(of: stream)
    }

    /// The stream's bytes before any filter.
    public func rawData(of stream: PDFStream) -> [UInt8] {
        switch stream.storage {
        case .bytes(let b): b
        case .file(let range): storage.bytes.copy(range)
        }
    }

    /// Where the object is stored in the file, when it is not in an object stream.
    func fileOffset(of id: PDFObjectID) -> Int? {
        if case .inFile(let offset, let generation) = crossReference.entries[id.number], generation == id.generation {
            return offset
        }
        return nil
    }

    var objectNumbers: [Int] { crossReference.entries.keys.sorted() }

    func entry(_ number: Int) -> CrossReferenceEntry? { crossReference.entries[number] }

    /// Calls `body` with consecutive chunks of the given file ranges, without copying the file.
    func forEachChunk(of ranges: [Range<Int>], chunkSize: Int = 256 << 10, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        for range in ranges { try storage.bytes.forEachChunk(of: range, chunkSize: chunkSize, body) }
    }

    /// The document as it was at an earlier revision ending at `length` bytes.
    func revision(endingAt length: Int) throws -> PDFDocument {
        try PDFDocument(bytes: storage.bytes.prefix(length), limits: limits)
    }
}

extension PDFDocument {
    /// Shared mutable state: the bytes and the object caches.
    final class Storage: @unchecked Sendable {
        let bytes: PDFBytes
        let limits: PDFLimits
        private let lock = Lock()
        private var objectCache: [PDFObjectID: PDFObject] = [:]
        private var objectStreamCache: [Int: ObjectStreamIndex] = [:]

        struct ObjectStreamIndex {
            let data: PDFBytes
            let offsets: [(number: Int, offset: Int)]
        }

        init(bytes: PDFBytes, limits: PDFLimits) {
            self.bytes = bytes
            self.limits = limits
        }

        func object(_ id: PDFObjectID, crossReference: CrossReference, visiting: inout Set<PDFObjectID>) throws -> PDFObject {
            if let cached = lock.withLock({ objectCache[id] }) { return cached }
            guard visiting.insert(id).inserted else {
                throw PDFError(.referenceLoop, "Resolving object \(id) requires itself (a reference loop).")
            }
            defer { visiting.remove(id) }
            guard visiting.count <= limits.maxResolutionDepth else {
                throw PDFError.limit("resolving an object needs more than \(limits.maxResolutionDepth) nested objects")
            }
            let object: PDFObject
            switch crossReference.entries[id.number] {
            case nil, .free?:
                object = .null
            case .inFile(let offset, let generation)?:
                guard generation == id.generation else { return .null }
                object = try parseIndirectObject(at: offset, expected: id, crossReference: crossReference, visiting: &visiting).1
            case .compressed(let streamNumber, let index)?:
                guard id.generation == 0 else { return .null }
                object = try compressedObject(id.number, in: streamNumber, index: index,
                                              crossReference: crossReference, visiting: &visiting)
            }
            lock.withLock { objectCache[id] = object }
            return object
        }

        /// Parses "N G obj … endobj" at `offset`, resolving an indirect /Length if needed.
        func parseIndirectObject(
            at offset: Int, expected: PDFObjectID?, crossReference: CrossReference?, visiting: inout Set<PDFObjectID>
        ) throws -> (PDFObjectID, PDFObject) {
            guard offset >= 0 && offset < bytes.count else {
                throw PDFError(.crossReference, "Object \(expected.map { "\($0)" } ?? "") has an offset (\(offset)) outside the file.")
            }
            var parser = ObjectParser(bytes: bytes, position: offset, limits: limits)
            guard let number = parser.unsignedInteger(), let generation = parser.unsignedInteger(), parser.consumeKeyword("obj") else {
                throw PDFError(.crossReference, "The cross-reference table points to byte \(offset), where no object starts\(expected.map { " (expected \($0))" } ?? "").")
            }
            let id = PDFObjectID(number, generation)
            if let expected, expected != id {
                throw PDFError(.crossReference, "The cross-reference table says object \(expected) is at byte \(offset), but object \(id) is there.")
            }
            let object = try parser.parseObject()
            guard case .dictionary(let dictionary) = object, parser.consumeKeyword("stream") else {
                return (id, object)
            }
            // The keyword is followed by CRLF or LF (a lone CR is tolerated).
            if parser.bytes.at(parser.position) == 0x0D { parser.position += 1 }
            if parser.bytes.at(parser.position) == 0x0A { parser.position += 1 }
            let dataStart = parser.position
            var declared: Int?
            switch dictionary["Length"] {
            case .integer(let n)?: declared = n
            case .reference(let ref)?:
                if let crossReference {
                    declared = try self.object(ref, crossReference: crossReference, visiting: &visiting).integer
                }
            default: declared = nil
            }
            let endKeyword = Array("endstream".utf8)
            if let length = declared, length >= 0, length <= bytes.count - dataStart {
                var check = ObjectParser(bytes: bytes, position: dataStart + length, limits: limits)
                if check.consumeKeyword("endstream") {
                    return (id, .stream(PDFStream(dictionary: dictionary, fileRange: dataStart..<(dataStart + length))))
                }
            }
            // /Length is missing, indirect and unresolvable, or wrong: find the keyword instead.
            guard let end = bytes.firstIndex(of: endKeyword, in: dataStart..<bytes.count) else {
                throw PDFError(.truncated, "The stream of object \(id) has no 'endstream'; the PDF is truncated or its /Length is wrong.")
            }
            var dataEnd = end
            if dataEnd > dataStart, bytes[dataEnd - 1] == 0x0A { dataEnd -= 1 }
            if dataEnd > dataStart, bytes[dataEnd - 1] == 0x0D { dataEnd -= 1 }
            return (id, .stream(PDFStream(dictionary: dictionary, fileRange: dataStart..<dataEnd)))
        }

        private func compressedObject(
            _ number: Int, in streamNumber: Int, index: Int, crossReference: CrossReference, visiting: inout Set<PDFObjectID>
        ) throws -> PDFObject {
            let streamIndex: ObjectStreamIndex
            if let cached = lock.withLock({ objectStreamCache[streamNumber] }) {
                streamIndex = cached
            } else {
                let container = try object(PDFObjectID(streamNumber), crossReference: crossReference, visiting: &visiting)
                guard case .stream(let stream) = container, stream.dictionary["Type"]?.name == "ObjStm" else {
                    throw PDFError(.crossReference, "Object \(number) is said to be in object stream \(streamNumber), which is not an object stream.")
                }
                streamIndex = try indexObjectStream(stream, number: streamNumber)
                lock.withLock { objectStreamCache[streamNumber] = streamIndex }
            }
            guard index >= 0 && index < streamIndex.offsets.count, streamIndex.offsets[index].number == number else {
                // Writers sometimes get the index wrong: look the number up instead.
                guard let found = streamIndex.offsets.first(where: { $0.number == number }) else { return .null }
                var parser = ObjectParser(bytes: streamIndex.data, position: found.offset, limits: limits)
                return try parser.parseObject()
            }
            var parser = ObjectParser(bytes: streamIndex.data, position: streamIndex.offsets[index].offset, limits: limits)
            return try parser.parseObject()
        }

        private func indexObjectStream(_ stream: PDFStream, number: Int) throws -> ObjectStreamIndex {
            guard let count = stream.dictionary["N"]?.integer, let first = stream.dictionary["First"]?.integer,
                  count >= 0, count <= limits.maxObjectsPerObjectStream, first >= 0 else {
                throw PDFError(.crossReference, "Object stream \(number) has an invalid /N or /First.")
            }
            let data = PDFBytes(copying: try decodedData(of: stream))
            guard first <= data.count else {
                throw PDFError(.crossReference, "Object stream \(number) has /First beyond its data.")
            }
            var header = ObjectParser(bytes: data.prefix(first), position: 0, limits: limits)
            var offsets: [(number: Int, offset: Int)] = []
            for _ in 0..<count {
                guard let objectNumber = header.unsignedInteger(), let relative = header.unsignedInteger(),
                      relative <= data.count - first else {
                    throw PDFError(.crossReference, "Object stream \(number) has a broken header.")
                }
                offsets.append((objectNumber, first + relative))
            }
            return ObjectStreamIndex(data: data, offsets: offsets)
        }

        func decodedData(of stream: PDFStream) throws -> [UInt8] {
            let raw: [UInt8]
            switch stream.storage {
            case .bytes(let b): raw = b
            case .file(let range): raw = bytes.copy(range)
            }
            var filters: [String] = []
            var parameters: [PDFObject] = []
            switch stream.dictionary["Filter"] {
            case .name(let n)?: filters = [n]; parameters = [stream.dictionary["DecodeParms"] ?? .null]
            case .array(let a)?:
                filters = a.compactMap(\.name)
                parameters = stream.dictionary["DecodeParms"]?.array ?? Array(repeating: .null, count: filters.count)
            case nil: return raw
            default: throw PDFError(.unsupportedFilter, "A stream has a /Filter that is not a name or an array.")
            }
            var data = raw
            for (i, filter) in filters.enumerated() {
                switch filter {
                case "FlateDecode", "Fl":
                    data = try data.withUnsafeBytes { try Flate.inflate($0, limit: limits.maxDecodedStreamBytes) }
                    if let p = (i < parameters.count ? parameters[i] : .null).dictionary,
                       let predictor = p["Predictor"]?.integer, predictor >= 10 {
                        data = try PNGPredictor.decode(data, columns: p["Columns"]?.integer ?? 1,
                                                       colors: p["Colors"]?.integer ?? 1,
                                                       bitsPerComponent: p["BitsPerComponent"]?.integer ?? 8)
                    } else if let p = (i < parameters.count ? parameters[i] : .null).dictionary,
                              let predictor = p["Predictor"]?.integer, predictor == 2 {
                        throw PDFError(.unsupportedFilter, "A stream uses the TIFF predictor, which VanThu does not decode.")
                    }
                default:
                    throw PDFError(.unsupportedFilter, "A stream uses the /\(filter) filter, which VanThu does not decode.")
                }
            }
            return data
        }
    }
}
