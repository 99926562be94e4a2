import CZlib

/// zlib inflate and deflate for FlateDecode, bounded in output size.
enum Flate {
    /// Inflates `input`; stops with an error past `limit` output bytes.
    ///
    /// Data after a complete zlib stream is ignored, and a stream cut short
    /// yields what it held: both are common in real PDFs and harmless.
    static func inflate(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard vt_inflate_init(&stream) == Z_OK else {
            throw PDFError(.corruptStream, "zlib could not start decompressing a stream.")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        let chunkSize = 64 * 1024
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(min(input.count, Int(UInt32.max)))
        while true {
            let status: Int32 = chunk.withUnsafeMutableBytes { buffer in
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(chunkSize)
                return CZlib.inflate(&stream, Z_NO_FLUSH)
            }
            let produced = chunkSize - Int(stream.avail_out)
            if output.count + produced > limit {
                throw PDFError.limit("a stream decompresses to more than \(limit) bytes")
            }
            output.append(contentsOf: chunk[0..<produced])
            switch status {
            case Z_STREAM_END:
                return output
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress possible: the input ended before the stream did.
                if output.isEmpty && input.count > 0 && produced == 0 && stream.total_in == 0 {
                    throw PDFError(.corruptStream, "A FlateDecode stream holds no compressed data.")
                }
                return output
            default:
                if !output.isEmpty { return output }
                throw PDFError(.corruptStream, "A FlateDecode stream is corrupt (zlib status \(status)).")
            }
        }
    }

    static func deflate(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        guard vt_deflate_init(&stream, level) == Z_OK else { fatalError("zlib deflateInit failed: out of memory") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let written: Int = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(input.count)
                stream.next_out = dst.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(bound)
                let status = CZlib.deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflate into deflateBound space must finish")
                return Int(stream.total_out)
            }
        }
        output.removeSubrange(written...)
        return output
    }
}

/// PNG predictors (ISO 32000-1 §7.4.4.4), used by cross-reference streams.
enum PNGPredictor {
    static func decode(_ data: [UInt8], columns: Int, colors: Int, bitsPerComponent: Int) throws -> [UInt8] {
        guard (1...4096).contains(colors), [1, 2, 4, 8, 16].contains(bitsPerComponent), columns >= 1,
              columns <= 1 << 24 else {
            throw PDFError(.corruptStream, "A stream has predictor parameters out of range.")
        }
        let bytesPerPixel = max(1, (colors * bitsPerComponent + 7) / 8)
        let rowLength = (columns * colors * bitsPerComponent + 7) / 8
        let stride = rowLength + 1
        var output: [UInt8] = []
        output.reserveCapacity(data.count / stride * rowLength)
        var previous = [UInt8](repeating: 0, count: rowLength)
        var row = [UInt8](repeating: 0, count: rowLength)
        var offset = 0
        while offset < data.count {
            let filter = data[offset]
            let available = min(rowLength, data.count - offset - 1)
            for i in 0..<rowLength { row[i] = i < available ? data[offset + 1 + i] : 0 }
            for i in 0..<rowLength {
                let left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0
                let up = previous[i]
                let upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0
                switch filter {
                case 0: break
                case 1: row[i] = row[i] &+ left
                case 2: row[i] = row[i] &+ up
                case 3: row[i] = row[i] &+ UInt8((Int(left) + Int(up)) / 2)
                case 4: row[i] = row[i] &+ paeth(left, up, upLeft)
                default: throw PDFError(.corruptStream, "A stream uses unknown PNG filter type \(filter).")
                }
            }
            output.append(contentsOf: row)
            swap(&previous, &row)
            offset += stride
        }
        return output
    }

    @inline(__always)
    static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }
}
