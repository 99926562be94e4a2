/// Writes PDF objects in their canonical textual form.
enum ObjectSerializer {
    static func bytes(_ object: PDFObject, document: PDFDocument? = nil) -> [UInt8] {
        var out: [UInt8] = []
        write(object, into: &out, document: document)
        return out
    }

    static func write(_ object: PDFObject, into out: inout [UInt8], document: PDFDocument?) {
        switch object {
        case .null: out += Array("null".utf8)
        case .boolean(let b): out += Array((b ? "true" : "false").utf8)
        case .integer(let i): out += Array(String(i).utf8)
        case .real(let r): out += Array(format(r).utf8)
        case .string(let s): writeString(s, into: &out)
        case .name(let n): writeName(n, into: &out)
        case .reference(let id): out += Array("\(id.number) \(id.generation) R".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(0x20) }
                write(item, into: &out, document: document)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let d):
            writeDictionary(d, into: &out, document: document)
        case .stream(let s):
            let data: [UInt8]
            switch s.storage {
            case .bytes(let b): data = b
            case .file: data = document?.rawData(of: s) ?? []
            }
            var dictionary = s.dictionary
            dictionary["Length"] = .integer(data.count)
            writeDictionary(dictionary, into: &out, document: document)
            out += Array("\nstream\n".utf8)
            out += data
            out += Array("\nendstream".utf8)
        }
    }

    static func writeDictionary(_ d: PDFDictionary, into out: inout [UInt8], document: PDFDocument?) {
        out += Array("<<".utf8)
        for key in d.keys {
            writeName(key, into: &out)
            out.append(0x20)
            write(d[key]!, into: &out, document: document)
        }
        out += Array(">>".utf8)
    }

    static func writeName(_ name: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "/"))
        for b in name.pdfBytes {
            if b < 0x21 || b > 0x7E || b == UInt8(ascii: "#") || PDFCharacter.isDelimiter(b) {
                out += Array("#\(hexDigits(Int(b), width: 2))".utf8)
            } else {
                out.append(b)
            }
        }
    }

    static func writeString(_ s: [UInt8], into out: inout [UInt8]) {
        let printable = s.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if printable {
            out.append(UInt8(ascii: "("))
            for b in s {
                if b == UInt8(ascii: "(") || b == UInt8(ascii: ")") || b == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(b)
            }
            out.append(UInt8(ascii: ")"))
        } else {
            out.append(UInt8(ascii: "<"))
            out += Array(s.hexString.utf8)
            out.append(UInt8(ascii: ">"))
        }
    }

    /// A real without exponent, as PDF requires. Values read from a file are
    /// written back in their shortest round-trip form, so rewriting a page to add
    /// an annotation never alters its other numbers (validators compare them).
    static func format(_ r: Double) -> String {
        guard r.isFinite else { return "0" }
        let shortest = "\(r)"
        if !shortest.contains("e") {
            let trimmed = shortest.hasSuffix(".0") ? String(shortest.dropLast(2)) : shortest
            return trimmed == "-0" ? "0" : trimmed
        }
        guard abs(r) < 1e15 else { return r < 0 ? "-1000000000000000" : "1000000000000000" }
        let scaled = Int((abs(r) * 10_000).rounded())
        guard scaled != 0 else { return "0" }
        var fraction = decimalDigits(scaled % 10_000, width: 4)
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return (r < 0 ? "-" : "") + String(scaled / 10_000) + (fraction.isEmpty ? "" : "." + fraction)
    }
}

extension PDFObject {
    /// A PDF text string: ASCII as is, anything else as UTF-16BE with a BOM (§7.9.2.2).
    public static func text(_ string: String) -> PDFObject {
        let nfc = string.nfc
        if nfc.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return .string(Array(nfc.utf8)) }
        var out: [UInt8] = [0xFE, 0xFF]
        for unit in nfc.utf16 { out += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        return .string(out)
    }

    /// Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding as Latin-1).
    public var text: String? {
        guard case .string(let s) = self else { return nil }
        if s.starts(with: [0xFE, 0xFF]) {
            var units: [UInt16] = []
            var i = 2
            while i + 1 < s.count { units.append(UInt16(s[i]) << 8 | UInt16(s[i + 1])); i += 2 }
            return String(decoding: units, as: UTF16.self)
        }
        if s.starts(with: [0xEF, 0xBB, 0xBF]) { return String(decoding: s.dropFirst(3), as: UTF8.self) }
        return String(pdfBytes: s)
    }
}
