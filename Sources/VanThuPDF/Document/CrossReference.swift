/// Where an object lives, per the newest cross-reference section that lists it.
enum CrossReferenceEntry: Sendable, Equatable {
    case free
    case inFile(offset: Int, generation: Int)
    case compressed(objectStream: Int, index: Int)
}

/// The merged cross-reference data of a file: every section reachable from
/// the last `startxref` through /Prev and /XRefStm, newest entry first.
struct CrossReference: Sendable {
    var entries: [Int: CrossReferenceEntry] = [:]
    var trailer = PDFDictionary()
    /// The newest section is a cross-reference stream (so an update writes one too).
    var usesStreams = false
    /// Offset given by the final `startxref`, the /Prev of an incremental update.
    var startOffset = 0

    var highestObjectNumber: Int { entries.keys.max() ?? 0 }
}

extension CrossReference {
    /// Reads every section of `bytes`. `parseStream` parses the indirect stream object
    /// at an offset (it needs object resolution for /Length, which the document owns).
    static func load(
        from bytes: PDFBytes,
        limits: PDFLimits,
        parseObjectAt: (Int) throws -> (PDFObjectID, PDFObject),
        decode: (PDFStream) throws -> [UInt8]
    ) throws -> CrossReference {
        var result = CrossReference()
        result.startOffset = try findStartXref(in: bytes)
        var visited = Set<Int>()
        var next: Int? = result.startOffset
        var isNewest = true
        while let offset = next {
            guard visited.insert(offset).inserted else {
                throw PDFError(.referenceLoop, "The cross-reference sections form a loop through /Prev at byte \(offset).")
            }
            guard visited.count <= limits.maxCrossReferenceSections else {
                throw PDFError.limit("more than \(limits.maxCrossReferenceSections) cross-reference sections")
            }
            guard offset >= 0 && offset < bytes.count else {
                throw PDFError(.crossReference, "A cross-reference offset (\(offset)) points outside the file.")
            }
            var section: Section
            var parser = ObjectParser(bytes: bytes, position: offset, limits: limits)
            if parser.consumeKeyword("xref") {
                section = try parseTable(&parser, limits: limits)
                if let hybrid = section.trailer["XRefStm"]?.integer, visited.insert(hybrid).inserted {
                    let streamSection = try parseStreamSection(at: hybrid, bytes: bytes, limits: limits,
                                                              parseObjectAt: parseObjectAt, decode: decode)
                    for (number, entry) in streamSection.entries
                    where section.entries[number] == nil || section.entries[number] == .free {
                        section.entries[number] = entry
                    }
                }
            } else {
                section = try parseStreamSection(at: offset, bytes: bytes, limits: limits,
                                                 parseObjectAt: parseObjectAt, decode: decode)
            }
            if isNewest {
                result.trailer = section.trailer
                result.usesStreams = section.isStream
                isNewest = false
            } else {
                // Keys the newer trailers lack (e.g. /ID, /Info) come from older ones.
                for key in section.trailer.keys where result.trailer[key] == nil && key != "Prev" && key != "XRefStm" {
                    result.trailer[key] = section.trailer[key]
                }
            }
            for (number, entry) in section.entries where result.entries[number] == nil {
                result.entries[number] = entry
            }
            next = section.trailer["Prev"]?.integer
        }
        return result
    }

    struct Section {
        var entries: [Int: CrossReferenceEntry] = [:]
        var trailer = PDFDictionary()
        var isStream = false
    }

    static func findStartXref(in bytes: PDFBytes) throws -> Int {
        let keyword = Array("startxref".utf8)
        let window = max(0, bytes.count - 4096)..<bytes.count
        guard let at = bytes.lastIndex(of: keyword, in: window) else {
            throw PDFError(.crossReference, "The PDF has no 'startxref' near its end; it may be truncated.")
        }
        var parser = ObjectParser(bytes: bytes, position: at + keyword.count, limits: PDFLimits())
        guard let offset = parser.unsignedInteger() else {
            throw PDFError(.crossReference, "The PDF's 'startxref' is not followed by an offset.")
        }
        return offset
    }

    static func parseTable(_ parser: inout ObjectParser, limits: PDFLimits) throws -> Section {
        var section = Section()
        while true {
            if parser.consumeKeyword("trailer") {
                guard case .dictionary(let trailer) = try parser.parseObject() else {
                    throw PDFError(.crossReference, "The trailer at byte \(parser.position) is not a dictionary.")
                }
                section.trailer = trailer
                return section
            }
            guard let first = parser.unsignedInteger(), let count = parser.unsignedInteger() else {
                throw parser.atEnd ? PDFError(.truncated, "The PDF ends inside a cross-reference table.")
                    : PDFError(.crossReference, "The cross-reference table is broken at byte \(parser.position).")
            }
            guard first <= limits.maxObjectNumber, count <= limits.maxObjectNumber - first + 1 else {
                throw PDFError.limit("a cross-reference subsection lists objects beyond number \(limits.maxObjectNumber)")
            }
            for i in 0..<count {
                guard let offset = parser.unsignedInteger(), let generation = parser.unsignedInteger() else {
                    throw PDFError(.crossReference, "The cross-reference table is broken at byte \(parser.position).")
                }
                let number = first + i
                if parser.consumeKeyword("n") {
                    if section.entries[number] == nil {
                        section.entries[number] = offset == 0 && number == 0 ? .free : .inFile(offset: offset, generation: generation)
                    }
                } else if parser.consumeKeyword("f") {
                    if section.entries[number] == nil { section.entries[number] = .free }
                } else {
                    throw PDFError(.crossReference, "A cross-reference entry at byte \(parser.position) is neither 'n' nor 'f'.")
                }
            }
        }
    }

    static func parseStreamSection(
        at offset: Int, bytes: PDFBytes, limits: PDFLimits,
        parseObjectAt: (Int) throws -> (PDFObjectID, PDFObject),
        decode: (PDFStream) throws -> [UInt8]
    ) throws -> Section {
        guard offset >= 0 && offset < bytes.count else {
            throw PDFError(.crossReference, "A cross-reference stream offset (\(offset)) points outside the file.")
        }
        let (_, object) = try parseObjectAt(offset)
        guard case .stream(let stream) = object, stream.dictionary["Type"]?.name == "XRef" else {
            throw PDFError(.crossReference, "No cross-reference table or stream at byte \(offset).")
        }
        let dictionary = stream.dictionary
        guard let widths = dictionary["W"]?.array?.compactMap(\.integer), widths.count == 3,
              widths.allSatisfy({ (0...8).contains($0) }), widths[1] > 0 else {
            throw PDFError(.crossReference, "The cross-reference stream at byte \(offset) has an invalid /W.")
        }
        guard let size = dictionary["Size"]?.integer, size >= 0, size <= limits.maxObjectNumber + 1 else {
            throw PDFError(.crossReference, "The cross-reference stream at byte \(offset) has an invalid /Size.")
        }
        var ranges: [(Int, Int)] = []
        if let index = dictionary["Index"]?.array {
            let numbers = index.compactMap(\.integer)
            guard numbers.count == index.count, numbers.count % 2 == 0 else {
                throw PDFError(.crossReference, "The cross-reference stream at byte \(offset) has an invalid /Index.")
            }
            for i in stride(from: 0, to: numbers.count, by: 2) { ranges.append((numbers[i], numbers[i + 1])) }
        } else {
            ranges = [(0, size)]
        }
        let data = try decode(stream)
        let entryLength = widths.reduce(0, +)
        var section = Section(trailer: dictionary.removing(["Length", "Filter", "DecodeParms", "W", "Index", "Type"]), isStream: true)
        var cursor = 0
        for (first, count) in ranges {
            guard first >= 0, count >= 0, first <= limits.maxObjectNumber, count <= limits.maxObjectNumber - first + 1 else {
                throw PDFError.limit("a cross-reference stream lists objects beyond number \(limits.maxObjectNumber)")
            }
            for i in 0..<count {
                guard cursor + entryLength <= data.count else {
                    throw PDFError(.crossReference, "The cross-reference stream at byte \(offset) is shorter than its /Index says.")
                }
                func field(_ n: Int) -> Int {
                    var value = 0
                    for _ in 0..<widths[n] {
                        value = value << 8 | Int(data[cursor])
                        cursor += 1
                    }
                    return value
                }
                let type = widths[0] == 0 ? 1 : field(0)
                let second = field(1)
                let third = field(2)
                let number = first + i
                guard section.entries[number] == nil else { continue }
                switch type {
                case 0: section.entries[number] = .free
                case 1: section.entries[number] = .inFile(offset: second, generation: third)
                case 2: section.entries[number] = .compressed(objectStream: second, index: third)
                default: break  // Unknown types are to be read as null references (§7.5.8.3).
                }
            }
        }
        return section
    }
}
