/// An incremental update (ISO 32000-1 §7.5.6): new or replaced objects and a
/// cross-reference section appended after the original bytes, which stay
/// exactly as they were.
struct IncrementalUpdate {
    enum Body {
        case object(PDFObject)
        /// Pre-serialised object text, for the signature dictionary whose
        /// placeholders must be found again after writing.
        case raw([UInt8])
    }

    private(set) var objects: [(PDFObjectID, Body)] = []
    private(set) var nextNumber: Int

    init(document: PDFDocument) {
        nextNumber = document.nextObjectNumber
    }

    mutating func allocate() -> PDFObjectID {
        defer { nextNumber += 1 }
        return PDFObjectID(nextNumber)
    }

    mutating func set(_ id: PDFObjectID, _ object: PDFObject) {
        objects.removeAll { $0.0 == id }
        objects.append((id, .object(object)))
    }

    mutating func setRaw(_ id: PDFObjectID, _ text: [UInt8]) {
        objects.removeAll { $0.0 == id }
        objects.append((id, .raw(text)))
    }

    struct Output {
        /// Bytes to append to the original file.
        var bytes: [UInt8]
        /// Offset of each object's body (after "N G obj\n") within `bytes`.
        var bodyOffsets: [PDFObjectID: Int]
    }

    /// Serialises the update to append to `document`'s bytes.
    func serialize(after document: PDFDocument) -> Output {
        var out: [UInt8] = []
        let base = document.byteCount
        // The original may lack a final end-of-line; an update must start on its own line.
        if base > 0, let last = document.storage.bytes.at(base - 1), last != 0x0A, last != 0x0D {
            out.append(0x0A)
        }
        var offsets: [PDFObjectID: Int] = [:]
        var bodyOffsets: [PDFObjectID: Int] = [:]
        for (id, body) in objects.sorted(by: { $0.0 < $1.0 }) {
            offsets[id] = base + out.count
            out += Array("\(id.number) \(id.generation) obj\n".utf8)
            bodyOffsets[id] = out.count
            switch body {
            case .object(let object): ObjectSerializer.write(object, into: &out, document: document)
            case .raw(let text): out += text
            }
            out += Array("\nendobj\n".utf8)
        }
        var trailer = PDFDictionary()
        for key in ["Root", "Info", "ID"] { trailer[key] = document.trailer[key] }
        if trailer["ID"] == nil {
            let seed = StreamingDigestBridge.sha256(Array("\(base)".utf8) + out)
            trailer["ID"] = .array([.string(Array(seed.prefix(16))), .string(Array(seed.prefix(16)))])
        }
        trailer["Prev"] = .integer(document.crossReference.startOffset)
        if document.usesCrossReferenceStreams {
            let xrefID = PDFObjectID(max(nextNumber, (objects.map(\.0.number).max() ?? 0) + 1))
            let xrefOffset = base + out.count
            offsets[xrefID] = xrefOffset
            trailer["Size"] = .integer(max(document.nextObjectNumber, xrefID.number + 1))
            out += Self.crossReferenceStream(offsets: offsets, id: xrefID, trailer: trailer)
            out += Array("startxref\n\(xrefOffset)\n%%EOF\n".utf8)
        } else {
            let xrefOffset = base + out.count
            trailer["Size"] = .integer(max(document.nextObjectNumber, (objects.map(\.0.number).max() ?? 0) + 1))
            out += Self.crossReferenceTable(offsets: offsets)
            out += Array("trailer\n".utf8)
            ObjectSerializer.writeDictionary(trailer, into: &out, document: nil)
            out += Array("\nstartxref\n\(xrefOffset)\n%%EOF\n".utf8)
        }
        return Output(bytes: out, bodyOffsets: bodyOffsets)
    }

    /// Runs of consecutive object numbers, each a subsection.
    private static func subsections(_ offsets: [PDFObjectID: Int]) -> [[PDFObjectID]] {
        var runs: [[PDFObjectID]] = []
        for id in offsets.keys.sorted() {
            if let last = runs.last?.last, last.number + 1 == id.number { runs[runs.count - 1].append(id) } else { runs.append([id]) }
        }
        return runs
    }

    private static func crossReferenceTable(offsets: [PDFObjectID: Int]) -> [UInt8] {
        var out = Array("xref\n".utf8)
        for run in subsections(offsets) {
            out += Array("\(run[0].number) \(run.count)\n".utf8)
            for id in run {
                let offset = String(offsets[id]!)
                let generation = String(id.generation)
                // Entries are exactly 20 bytes: 10-digit offset, 5-digit generation, type, CR LF.
                out += Array((String(repeating: "0", count: 10 - offset.count) + offset + " "
                    + String(repeating: "0", count: 5 - generation.count) + generation + " n\r\n").utf8)
            }
        }
        return out
    }

    private static func crossReferenceStream(offsets: [PDFObjectID: Int], id: PDFObjectID, trailer: PDFDictionary) -> [UInt8] {
        let maxOffset = offsets.values.max() ?? 0
        let offsetWidth = maxOffset < 1 << 32 ? 4 : 8
        var data: [UInt8] = []
        var index: [PDFObject] = []
        for run in subsections(offsets) {
            index += [.integer(run[0].number), .integer(run.count)]
            for entry in run {
                data.append(1)
                let offset = offsets[entry]!
                for shift in stride(from: (offsetWidth - 1) * 8, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: offset >> shift)) }
                data += [UInt8(truncatingIfNeeded: entry.generation >> 8), UInt8(truncatingIfNeeded: entry.generation)]
            }
        }
        var dictionary = trailer
        dictionary["Type"] = .name("XRef")
        dictionary["W"] = .array([.integer(1), .integer(offsetWidth), .integer(2)])
        dictionary["Index"] = .array(index)
        dictionary["Filter"] = .name("FlateDecode")
        var out = Array("\(id.number) \(id.generation) obj\n".utf8)
        ObjectSerializer.write(.stream(PDFStream(dictionary: dictionary, data: Flate.deflate(data))), into: &out, document: nil)
        out += Array("\nendobj\n".utf8)
        return out
    }
}
