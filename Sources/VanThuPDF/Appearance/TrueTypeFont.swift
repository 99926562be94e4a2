/// The parts of a TrueType font needed to embed it as a CIDFontType2:
/// metrics, advance widths and the Unicode → glyph mapping.
struct TrueTypeFont: Sendable {
    let data: [UInt8]
    let postScriptName: String
    let unitsPerEm: Int
    let boundingBox: [Int]
    let ascender: Int
    let descender: Int
    let capHeight: Int
    private let advances: [Int]
    /// Where each table is in `data`, by tag.
    let tables: [String: Range<Int>]
    var glyphCount: Int { advances.count }
    private let unicodeToGlyph: [UInt32: Int]

    init(data: [UInt8]) throws {
        self.data = data
        let reader = FontReader(data: data)
        let tables = try reader.tableDirectory()
        self.tables = tables
        func table(_ tag: String) throws -> Range<Int> {
            guard let range = tables[tag] else { throw PDFError(.invalidFont, "The font has no '\(tag)' table.") }
            return range
        }
        let head = try table("head"), hhea = try table("hhea"), maxp = try table("maxp")
        let hmtx = try table("hmtx"), cmap = try table("cmap")
        unitsPerEm = try reader.u16(head.lowerBound + 18)
        guard unitsPerEm > 0 else { throw PDFError(.invalidFont, "The font's unitsPerEm is zero.") }
        boundingBox = try (0..<4).map { try reader.i16(head.lowerBound + 36 + 2 * $0) }
        ascender = try reader.i16(hhea.lowerBound + 4)
        descender = try reader.i16(hhea.lowerBound + 6)
        let metricsCount = try reader.u16(hhea.lowerBound + 34)
        let glyphCount = try reader.u16(maxp.lowerBound + 4)
        var advances: [Int] = []
        advances.reserveCapacity(glyphCount)
        for i in 0..<glyphCount {
            advances.append(try reader.u16(hmtx.lowerBound + 4 * min(i, max(0, metricsCount - 1))))
        }
        self.advances = advances
        if let os2 = tables["OS/2"], try reader.u16(os2.lowerBound) >= 2 {
            capHeight = try reader.i16(os2.lowerBound + 88)
        } else {
            capHeight = ascender
        }
        unicodeToGlyph = try reader.unicodeMap(cmap: cmap)
        if let name = tables["name"] {
            postScriptName = (try? reader.postScriptName(name)) ?? "EmbeddedFont"
        } else {
            postScriptName = "EmbeddedFont"
        }
    }

    init(file: PDFFontFile) throws {
        let bytes: [UInt8]
        do {
            bytes = try PDFBytes(readingFileAt: file.path).copy(0..<Int.max)
        } catch {
            throw PDFError(.invalidFont, "The font file \(file.path) cannot be read; install Debian's fonts-liberation or choose another font.")
        }
        try self.init(data: bytes)
    }

    func glyph(for scalar: Unicode.Scalar) -> Int { unicodeToGlyph[scalar.value] ?? 0 }

    /// Advance width in thousandths of the font size, as the /W array needs.
    func width(ofGlyph glyph: Int) -> Int {
        glyph < advances.count ? (advances[glyph] * 1000 + unitsPerEm / 2) / unitsPerEm : 0
    }

    func scaled(_ units: Int) -> Int { units * 1000 / unitsPerEm }
}

/// Bounds-checked big-endian reads over a font file.
private struct FontReader {
    let data: [UInt8]

    func u16(_ at: Int) throws -> Int {
        guard at >= 0, at + 2 <= data.count else { throw PDFError(.invalidFont, "The font file is truncated.") }
        return Int(data[at]) << 8 | Int(data[at + 1])
    }

    func i16(_ at: Int) throws -> Int { Int(Int16(bitPattern: UInt16(try u16(at)))) }

    func u32(_ at: Int) throws -> Int { try u16(at) << 16 | u16(at + 2) }

    func tableDirectory() throws -> [String: Range<Int>] {
        let count = try u16(4)
        var tables: [String: Range<Int>] = [:]
        for i in 0..<count {
            let record = 12 + 16 * i
            guard record + 16 <= data.count else { throw PDFError(.invalidFont, "The font's table directory is truncated.") }
            let tag = String(decoding: data[record..<(record + 4)], as: UTF8.self)
            let offset = try u32(record + 8), length = try u32(record + 12)
            guard offset + length <= data.count else { throw PDFError(.invalidFont, "The font's '\(tag)' table lies outside the file.") }
            tables[tag] = offset..<(offset + length)
        }
        return tables
    }

    /// Unicode scalars to glyphs from a (3,10) format 12 or a (3,1)/(0,x) format 4 subtable.
    func unicodeMap(cmap: Range<Int>) throws -> [UInt32: Int] {
        let base = cmap.lowerBound
        let count = try u16(base + 2)
        var best: (priority: Int, offset: Int)?
        for i in 0..<count {
            let record = base + 4 + 8 * i
            let platform = try u16(record), encoding = try u16(record + 2)
            let offset = base + (try u32(record + 4))
            let format = try u16(offset)
            let priority: Int
            switch (platform, encoding, format) {
            case (3, 10, 12), (0, 4, 12), (0, 6, 12): priority = 3
            case (3, 1, 4), (0, 3, 4): priority = 2
            case (0, _, 4): priority = 1
            default: continue
            }
            if best == nil || priority > best!.priority { best = (priority, offset) }
        }
        guard let chosen = best else { throw PDFError(.invalidFont, "The font has no Unicode character map.") }
        var map: [UInt32: Int] = [:]
        if try u16(chosen.offset) == 12 {
            let groups = try u32(chosen.offset + 12)
            guard groups <= 100_000 else { throw PDFError(.invalidFont, "The font's character map is implausibly large.") }
            for g in 0..<groups {
                let at = chosen.offset + 16 + 12 * g
                let start = try u32(at), end = try u32(at + 4), glyph = try u32(at + 8)
                guard end >= start, end - start < 0x110000 else { continue }
                for code in start...min(end, 0x10FFFF) { map[UInt32(code)] = glyph + code - start }
            }
        } else {
            let segments = try u16(chosen.offset + 6) / 2
            let ends = chosen.offset + 14
            let starts = ends + 2 * segments + 2
            let deltas = starts + 2 * segments
            let rangeOffsets = deltas + 2 * segments
            for s in 0..<segments {
                let end = try u16(ends + 2 * s), start = try u16(starts + 2 * s)
                let delta = try u16(deltas + 2 * s), rangeOffset = try u16(rangeOffsets + 2 * s)
                guard start <= end, start != 0xFFFF else { continue }
                for code in start...end {
                    var glyph: Int
                    if rangeOffset == 0 {
                        glyph = (code + delta) & 0xFFFF
                    } else {
                        let at = rangeOffsets + 2 * s + rangeOffset + 2 * (code - start)
                        glyph = try u16(at)
                        if glyph != 0 { glyph = (glyph + delta) & 0xFFFF }
                    }
                    if glyph != 0 { map[UInt32(code)] = glyph }
                }
            }
        }
        return map
    }

    /// Name ID 6 (PostScript name) from the 'name' table.
    func postScriptName(_ table: Range<Int>) throws -> String? {
        let count = try u16(table.lowerBound + 2)
        let storage = table.lowerBound + (try u16(table.lowerBound + 4))
        for i in 0..<count {
            let record = table.lowerBound + 6 + 12 * i
            guard try u16(record + 6) == 6 else { continue }
            let platform = try u16(record)
            let length = try u16(record + 8), offset = try u16(record + 10)
            let start = storage + offset
            guard start + length <= data.count else { return nil }
            let raw = Array(data[start..<(start + length)])
            if platform == 3 || platform == 0 {
                var units: [UInt16] = []
                var j = 0
                while j + 1 < raw.count { units.append(UInt16(raw[j]) << 8 | UInt16(raw[j + 1])); j += 2 }
                return String(decoding: units, as: UTF16.self)
            }
            return String(decoding: raw, as: UTF8.self)
        }
        return nil
    }
}
