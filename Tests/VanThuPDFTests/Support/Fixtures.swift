import Foundation

/// Small PDFs and PNGs built by the tests themselves.
enum Fixtures {
    /// A classic-xref PDF with `pages` pages of text, optionally padded with an
    /// uncompressed filler stream of `fillerBytes` per page (for size benchmarks).
    static func classicPDF(pages: Int = 2, fillerBytes: Int = 0, lengthText: String? = nil) -> [UInt8] {
        var out = Array("%PDF-1.7\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int: Int] = [:]
        func object(_ number: Int, _ body: [UInt8]) {
            offsets[number] = out.count
            out += Array("\(number) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8)
        }
        // 1 catalog, 2 pages, 3 font, then per page: page, content.
        let pageNumbers = (0..<pages).map { 4 + 2 * $0 }
        object(1, Array("<< /Type /Catalog /Pages 2 0 R >>".utf8))
        object(2, Array("<< /Type /Pages /Count \(pages) /Kids [\(pageNumbers.map { "\($0) 0 R" }.joined(separator: " "))] >>".utf8))
        object(3, Array("<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>".utf8))
        for (i, number) in pageNumbers.enumerated() {
            object(number, Array("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents \(number + 1) 0 R >>".utf8))
            var content = Array("BT /F1 24 Tf 72 760 Td (Page \(i + 1) of a test document) Tj ET\n".utf8)
            if fillerBytes > 0 {
                // Comment lines of pseudo-random digits: bulk that compresses poorly, like scans.
                var state: UInt64 = 0x9E3779B97F4A7C15 &* UInt64(i + 1)
                var line = [UInt8]()
                while content.count < fillerBytes {
                    line = [UInt8(ascii: "%")]
                    for _ in 0..<79 {
                        state = state &* 6364136223846793005 &+ 1442695040888963407
                        line.append(UInt8(ascii: "0") + UInt8((state >> 33) % 10))
                    }
                    line.append(0x0A)
                    content += line
                }
            }
            object(number + 1, Array("<< /Length \(lengthText ?? String(content.count)) >>\nstream\n".utf8) + content + Array("\nendstream".utf8))
        }
        let size = 4 + 2 * pages
        let xref = out.count
        out += Array("xref\n0 \(size)\n0000000000 65535 f\r\n".utf8)
        for n in 1..<size {
            out += Array(String(format: "%010d 00000 n\r\n", offsets[n]!).utf8)
        }
        out += Array("trailer\n<< /Size \(size) /Root 1 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return out
    }

    /// A PDF whose only cross-reference section is a stream, with hand-made entries
    /// (type, field 2, field 3) for objects 0, 1, 2, … and the stream itself last.
    static func xrefStreamPDF(objects: [(Int, String)], entries: [(Int, Int, Int)], root: Int = 1) -> [UInt8] {
        var out = Array("%PDF-1.7\n".utf8)
        var offsets: [Int: Int] = [:]
        for (number, body) in objects {
            offsets[number] = out.count
            out += Array("\(number) 0 obj\n\(body)\nendobj\n".utf8)
        }
        let xrefNumber = entries.count
        let xrefOffset = out.count
        var data: [UInt8] = []
        for (type, second, third) in entries + [(1, xrefOffset, 0)] {
            let value = type == 1 && second == -1 ? offsets[data.count / 4] ?? 0 : second
            data += [UInt8(type), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF), UInt8(third)]
        }
        out += Array("\(xrefNumber) 0 obj\n<< /Type /XRef /Size \(xrefNumber + 1) /W [1 2 1] /Root \(root) 0 R /Length \(data.count) >>\nstream\n".utf8)
        out += data + Array("\nendstream\nendobj\nstartxref\n\(xrefOffset)\n%%EOF\n".utf8)
        return out
    }

    /// The same document rewritten by qpdf with object streams and a cross-reference stream.
    static func objectStreamPDF(pages: Int = 2, in directory: TemporaryDirectory) throws -> [UInt8] {
        let input = try directory.write(classicPDF(pages: pages), to: "classic-\(UUID().uuidString).pdf")
        let output = directory.file("objstm-\(UUID().uuidString).pdf")
        let result = try Tool.run("qpdf", ["--object-streams=generate", input.path, output.path])
        guard result.status == 0 else { throw PKIError(message: "qpdf failed: \(result.output)") }
        return [UInt8](try Data(contentsOf: output))
    }

    /// An RGBA PNG of `width`×`height`: a coloured shape on a transparent background.
    static func png(width: Int, height: Int, red: UInt8, green: UInt8, blue: UInt8, ring: Bool) -> [UInt8] {
        var raw: [UInt8] = []
        let cx = Double(width) / 2, cy = Double(height) / 2
        for y in 0..<height {
            raw.append(0)  // filter: none
            for x in 0..<width {
                let dx = (Double(x) - cx) / cx, dy = (Double(y) - cy) / cy
                let r = (dx * dx + dy * dy).squareRoot()
                let inside = ring ? (r > 0.75 && r < 0.95) || (r < 0.3) : abs(dy - 0.5 * sin(dx * 6)) < 0.12
                raw += [red, green, blue, inside ? 255 : 0]
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func chunk(_ type: String, _ data: [UInt8]) {
            png += be32(data.count)
            let body = Array(type.utf8) + data
            png += body + be32(Int(crc32(body)))
        }
        chunk("IHDR", be32(width) + be32(height) + [8, 6, 0, 0, 0])
        chunk("IDAT", zlibStored(raw))
        chunk("IEND", [])
        return png
    }

    private static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// A zlib stream of stored (uncompressed) blocks: valid, and independent of the code under test.
    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out += [final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let adler = b << 16 | a
        return out + [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
    }

    private static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
