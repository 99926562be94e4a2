/// Text shown with a TrueType font embedded as Type0 / CIDFontType2 with
/// Identity-H (§9.7): two-byte codes equal glyph ids, a /W array for the
/// glyphs used and a ToUnicode CMap so the text can be copied and searched.
struct EmbeddedFont {
    let font: TrueTypeFont
    private(set) var usedGlyphs: [Int: Unicode.Scalar] = [:]

    init(_ font: TrueTypeFont) {
        self.font = font
    }

    /// The string as a hex string operand for Tj, recording the glyphs used.
    /// A letter the font lacks is an error: a signature must not show a wrong name.
    mutating func encode(_ text: String) throws -> String {
        var hex = "<"
        for scalar in text.nfc.unicodeScalars {
            let glyph = font.glyph(for: scalar)
            guard glyph != 0 else {
                throw PDFError(.invalidFont, "The font \(font.postScriptName) has no glyph for '\(scalar)' (U+\(String(scalar.value, radix: 16, uppercase: true))).")
            }
            if usedGlyphs[glyph] == nil { usedGlyphs[glyph] = scalar }
            hex += hexDigits(glyph, width: 4)
        }
        return hex + ">"
    }

    /// Width of `text` at `size` points.
    func width(of text: String, size: Double) -> Double {
        let units = text.nfc.unicodeScalars.reduce(0) { $0 + font.width(ofGlyph: font.glyph(for: $1)) }
        return Double(units) * size / 1000
    }

    /// Writes the font objects and returns the Type0 font's reference.
    func add(to update: inout IncrementalUpdate) throws -> PDFObjectID {
        let glyphs = Set(usedGlyphs.keys)
        let subset = try TrueTypeSubset.subset(font, keeping: glyphs)
        // A subset font's name carries a tag of six capitals derived from its glyph set (§9.9.2).
        let seed = StreamingDigestBridge.sha256(glyphs.sorted().flatMap { [UInt8($0 >> 8 & 0xFF), UInt8($0 & 0xFF)] })
        let tag = String(decoding: seed.prefix(6).map { UInt8(ascii: "A") + $0 % 26 }, as: UTF8.self)
        let name = PDFObject.name(tag + "+" + font.postScriptName.filter { $0.isASCII && !$0.isWhitespace })
        let fileID = update.allocate()
        update.set(fileID, .stream(PDFStream(
            dictionary: PDFDictionary(["Length1": .integer(subset.count), "Filter": .name("FlateDecode")]),
            data: Flate.deflate(subset))))

        let descriptorID = update.allocate()
        update.set(descriptorID, .dictionary(PDFDictionary([
            "Type": .name("FontDescriptor"), "FontName": name, "Flags": .integer(34),
            "FontBBox": .array(font.boundingBox.map { .integer(font.scaled($0)) }),
            "ItalicAngle": .integer(0), "Ascent": .integer(font.scaled(font.ascender)),
            "Descent": .integer(font.scaled(font.descender)), "CapHeight": .integer(font.scaled(font.capHeight)),
            "StemV": .integer(80), "FontFile2": .reference(fileID),
        ])))

        var widths: [PDFObject] = []
        for glyph in usedGlyphs.keys.sorted() {
            widths += [.integer(glyph), .array([.integer(font.width(ofGlyph: glyph))])]
        }
        let cidFontID = update.allocate()
        update.set(cidFontID, .dictionary(PDFDictionary([
            "Type": .name("Font"), "Subtype": .name("CIDFontType2"), "BaseFont": name,
            "CIDSystemInfo": .dictionary(PDFDictionary([
                "Registry": .string(Array("Adobe".utf8)), "Ordering": .string(Array("Identity".utf8)), "Supplement": .integer(0),
            ])),
            "FontDescriptor": .reference(descriptorID), "CIDToGIDMap": .name("Identity"),
            "DW": .integer(1000), "W": .array(widths),
        ])))

        let toUnicodeID = update.allocate()
        update.set(toUnicodeID, .stream(PDFStream(
            dictionary: PDFDictionary(["Filter": .name("FlateDecode")]), data: Flate.deflate(Array(toUnicodeCMap().utf8)))))

        let fontID = update.allocate()
        update.set(fontID, .dictionary(PDFDictionary([
            "Type": .name("Font"), "Subtype": .name("Type0"), "BaseFont": name, "Encoding": .name("Identity-H"),
            "DescendantFonts": .array([.reference(cidFontID)]), "ToUnicode": .reference(toUnicodeID),
        ])))
        return fontID
    }

    private func toUnicodeCMap() -> String {
        var lines = [
            "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
            "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
        ]
        let mappings = usedGlyphs.sorted { $0.key < $1.key }
        for chunkStart in stride(from: 0, to: mappings.count, by: 100) {
            let chunk = mappings[chunkStart..<min(chunkStart + 100, mappings.count)]
            lines.append("\(chunk.count) beginbfchar")
            for (glyph, scalar) in chunk {
                let utf16 = String(scalar).utf16.map { hexDigits(Int($0), width: 4) }.joined()
                lines.append("<\(hexDigits(glyph, width: 4))> <\(utf16)>")
            }
            lines.append("endbfchar")
        }
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return lines.joined(separator: "\n")
    }
}
