import Foundation
import NIOCore

public struct MultipartError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let description: String

    static func malformed(_ why: String) -> MultipartError { .init(code: "malformed-multipart", description: why) }
    static let truncated = MultipartError(code: "incomplete-upload", description: "the upload ended before its last part was complete")
}

/// One part's headers in a multipart/form-data body.
public struct MultipartPartHeader: Sendable, Equatable {
    public var name: String
    public var fileName: String?
    public var contentType: String?
}

/// A streaming reader of multipart/form-data (RFC 7578) over a body of `ByteBuffer`s.
///
/// It never holds more than one incoming piece plus a boundary's length of look-behind, so a
/// 1 GiB file passes through in constant memory. Parts are read in order: `nextPart()`, then
/// `nextChunk()` until nil.
public struct MultipartReader<Body: AsyncSequence> where Body.Element == ByteBuffer {
    private var iterator: Body.AsyncIterator
    private var buffer = ByteBuffer()
    private var finished = false
    /// `\r\n--boundary`: what ends a part's body.
    private let delimiter: [UInt8]
    private var inBody = false
    private var sawFinalBoundary = false
    private var started = false
    static var maxHeaderBytes: Int { 16 * 1024 }

    public init(boundary: String, body: Body) throws(MultipartError) {
        guard (1...70).contains(boundary.utf8.count) else { throw .malformed("the multipart boundary must be 1 to 70 characters") }
        self.delimiter = Array("\r\n--\(boundary)".utf8)
        self.iterator = body.makeAsyncIterator()
        // Treat the very first boundary as if preceded by CRLF so that one search finds them all.
        self.buffer.writeBytes([13, 10])
    }

    /// The boundary parameter of a `multipart/form-data` content type, or nil.
    public static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingWhitespace() }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for p in parts.dropFirst() where p.lowercased().hasPrefix("boundary=") {
            var value = String(p.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    private nonisolated(nonsending) mutating func fill() async throws -> Bool {
        guard !finished else { return false }
        if var more = try await iterator.next(isolation: #isolation) {
            buffer.discardReadBytes()
            buffer.writeBuffer(&more)
            return true
        }
        finished = true
        return false
    }

    private func find(_ needle: [UInt8]) -> Int? {
        buffer.withUnsafeReadableBytes { hay in ByteSearch.firstIndex(of: needle, in: hay) }
    }

    /// Moves to the next part and returns its headers, or nil after the closing boundary.
    public nonisolated(nonsending) mutating func nextPart() async throws -> MultipartPartHeader? {
        if inBody { while try await nextChunk() != nil {} }
        if sawFinalBoundary { return nil }
        // Find the delimiter (skipping any preamble before the first one).
        while true {
            if let at = find(delimiter) {
                buffer.moveReaderIndex(forwardBy: at + delimiter.count)
                break
            }
            // Keep only a possible delimiter prefix; the rest is preamble.
            let keep = min(buffer.readableBytes, delimiter.count - 1)
            if started && buffer.readableBytes > keep { throw MultipartError.malformed("unexpected bytes between parts") }
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes - keep)
            guard try await fill() else { throw started ? MultipartError.truncated : MultipartError.malformed("the body holds no multipart boundary") }
            if buffer.readableBytes > 1 << 20 && !started { throw MultipartError.malformed("the body holds no multipart boundary") }
        }
        started = true
        // After the boundary: "--" ends the body, CRLF starts headers.
        while buffer.readableBytes < 2 { guard try await fill() else { throw MultipartError.truncated } }
        let two = buffer.getBytes(at: buffer.readerIndex, length: 2)!
        if two == [45, 45] {
            sawFinalBoundary = true
            return nil
        }
        guard two == [13, 10] else { throw MultipartError.malformed("a boundary line is not followed by a line break") }
        buffer.moveReaderIndex(forwardBy: 2)
        let end: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while true {
            // A part with no headers at all starts with an empty line.
            if buffer.readableBytes >= 2, buffer.getBytes(at: buffer.readerIndex, length: 2) == [13, 10] { headerEnd = -2; break }
            if let at = find(end) { headerEnd = at; break }
            if buffer.readableBytes > Self.maxHeaderBytes { throw MultipartError.malformed("a part's headers exceed 16 KiB") }
            guard try await fill() else { throw MultipartError.truncated }
        }
        let headerBytes = headerEnd! < 0 ? [] : buffer.readBytes(length: headerEnd!)!
        buffer.moveReaderIndex(forwardBy: headerEnd! < 0 ? 2 : 4)
        guard let text = String(validating: headerBytes, as: UTF8.self) else {
            throw MultipartError.malformed("a part's headers are not valid UTF-8")
        }
        inBody = true
        return try Self.parseHeaders(text)
    }

    /// The next piece of the current part's body, or nil at its end.
    public nonisolated(nonsending) mutating func nextChunk() async throws -> ByteBuffer? {
        guard inBody else { return nil }
        while true {
            if let at = find(delimiter) {
                if at == 0 {
                    inBody = false
                    return nil
                }
                return buffer.readSlice(length: at)
            }
            let safe = buffer.readableBytes - (delimiter.count - 1)
            if safe > 0 {
                // Copy out so the caller's buffer does not pin ours.
                return ByteBuffer(buffer: buffer.readSlice(length: safe)!)
            }
            guard try await fill() else { throw MultipartError.truncated }
        }
    }

    static func parseHeaders(_ text: String) throws(MultipartError) -> MultipartPartHeader {
        var name: String?
        var fileName: String?
        var fileNameStar: String?
        var contentType: String?
        // "\r\n" is one Character, so this splits exactly at CRLF.
        for line in text.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("a part header line has no ':'") }
            let field = line[..<colon].trimmingWhitespace().lowercased()
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            switch field {
            case "content-disposition":
                let params = splitParameters(value)
                guard params.first?.lowercased() == "form-data" else { throw .malformed("a part is not form-data") }
                for p in params.dropFirst() {
                    guard let eq = p.firstIndex(of: "=") else { continue }
                    let key = p[..<eq].trimmingWhitespace().lowercased()
                    var v = p[p.index(after: eq)...].trimmingWhitespace()
                    if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 {
                        v = String(v.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                    }
                    switch key {
                    case "name": name = v
                    case "filename": fileName = v
                    case "filename*":
                        // RFC 5987: UTF-8''percent-encoded
                        let lower = v.lowercased()
                        if lower.hasPrefix("utf-8''") { fileNameStar = String(v.dropFirst(7)).removingPercentEncoding }
                    default: break
                    }
                }
            case "content-type":
                contentType = value
            default:
                break
            }
        }
        guard let name else { throw .malformed("a part has no name") }
        return MultipartPartHeader(name: name, fileName: fileNameStar ?? fileName, contentType: contentType)
    }

    /// Splits `a; b="c;d"; e` on semicolons outside quotes.
    static func splitParameters(_ s: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for ch in s {
            if escaped { current.append(ch); escaped = false; continue }
            if ch == "\\" && quoted { current.append(ch); escaped = true; continue }
            if ch == "\"" { quoted.toggle() }
            if ch == ";" && !quoted { out.append(current.trimmingWhitespace()); current = ""; continue }
            current.append(ch)
        }
        if !current.isEmpty { out.append(current.trimmingWhitespace()) }
        return out
    }
}

extension StringProtocol {
    /// Trims what `CharacterSet.whitespaces` holds (tab and the space separators) from both ends,
    /// without Foundation's bridging, which showed in profiles of uploads.
    func trimmingWhitespace() -> String {
        func isSpace(_ c: Character) -> Bool {
            guard c.unicodeScalars.count == 1, let u = c.unicodeScalars.first else { return false }
            return u == "\t" || u.properties.generalCategory == .spaceSeparator
        }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}

enum ByteSearch {
    /// First occurrence of `needle` in `hay`: memchr for the first byte, then memcmp.
    static func firstIndex(of needle: [UInt8], in hay: UnsafeRawBufferPointer) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count, let base = hay.baseAddress else { return nil }
        let last = hay.count - needle.count
        var start = 0
        return needle.withUnsafeBytes { n -> Int? in
            while start <= last {
                guard let hit = memchr(base + start, Int32(needle[0]), last - start + 1) else { return nil }
                let at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, n.baseAddress!, needle.count) == 0 { return at }
                start = at + 1
            }
            return nil
        }
    }
}
