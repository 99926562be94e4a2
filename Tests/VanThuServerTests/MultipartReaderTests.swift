import NIOCore
import Testing
@testable import VanThuServer

/// The reader must find boundaries wherever the network splits the body.
@Suite struct MultipartReaderTests {
    struct Chunks: AsyncSequence {
        typealias Element = ByteBuffer
        let pieces: [ByteBuffer]
        struct AsyncIterator: AsyncIteratorProtocol {
            var rest: ArraySlice<ByteBuffer>
            mutating func next() async throws -> ByteBuffer? { rest.popFirst() }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: pieces[...]) }

        init(_ bytes: [UInt8], sizes: (Int) -> Int) {
            var out: [ByteBuffer] = []
            var i = 0
            var n = 0
            while i < bytes.count {
                let size = Swift.max(1, Swift.min(sizes(n), bytes.count - i))
                out.append(ByteBuffer(bytes: bytes[i..<(i + size)]))
                i += size
                n += 1
            }
            pieces = out
        }
    }

    static func read(_ bytes: [UInt8], boundary: String, sizes: @escaping (Int) -> Int) async throws -> [(MultipartPartHeader, [UInt8])] {
        var reader = try MultipartReader(boundary: boundary, body: Chunks(bytes, sizes: sizes))
        var parts: [(MultipartPartHeader, [UInt8])] = []
        while let header = try await reader.nextPart() {
            var content: [UInt8] = []
            while let chunk = try await reader.nextChunk() { content += chunk.readableBytesView }
            parts.append((header, content))
        }
        return parts
    }

    @Test func findsEveryPartWhateverTheSplit() async throws {
        // Content that contains near-boundaries: CRLF, dashes and a prefix of the boundary.
        let tricky = Array("line\r\n--bound\r\n--boundar\r\n-".utf8) + (0..<300).map { UInt8($0 % 256) }
        let body = MultipartBody(parts: [.json("metadata", #"{"a":"ư"}"#), .file("main", "tệp.pdf", tricky), .file("attachment", "b.bin", [])])
        let boundary = body.boundary
        for size in [1, 2, 3, 7, 64, 1000, 100_000] {
            let parts = try await Self.read(body.bytes, boundary: boundary) { _ in size }
            #expect(parts.count == 3, "piece size \(size)")
            #expect(parts[0].0.name == "metadata")
            #expect(String(decoding: parts[0].1, as: UTF8.self) == #"{"a":"ư"}"#)
            #expect(parts[1].0.fileName == "tệp.pdf")
            #expect(parts[1].1 == tricky, "piece size \(size)")
            #expect(parts[2].1.isEmpty)
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let parts = try await Self.read(body.bytes, boundary: boundary) { _ in Int.random(in: 1...40, using: &rng) }
            #expect(parts.map(\.1) == [Array(#"{"a":"ư"}"#.utf8), tricky, []])
        }
    }

    @Test func truncatedBodiesAreIncompleteUploads() async throws {
        let body = MultipartBody(parts: [.json("metadata", "{}"), .file("main", "a", Array(repeating: 65, count: 100))])
        let bytes = body.bytes
        for cut in stride(from: 1, to: bytes.count - 4, by: 7) {
            await #expect(throws: MultipartError.self) {
                _ = try await Self.read(Array(bytes[..<cut]), boundary: body.boundary) { _ in 16 }
            }
        }
    }

    @Test func headerParsing() throws {
        let h = try MultipartReader<Chunks>.parseHeaders(
            "Content-Disposition: form-data; name=\"main\"; filename=\"a;b.pdf\"; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf\r\nContent-Type: application/pdf")
        #expect(h.name == "main")
        #expect(h.fileName == "Quyết định.pdf")
        #expect(h.contentType == "application/pdf")
        #expect(throws: MultipartError.self) { try MultipartReader<Chunks>.parseHeaders("Content-Disposition: attachment; name=\"x\"") }
        #expect(throws: MultipartError.self) { try MultipartReader<Chunks>.parseHeaders("no colon here") }
        #expect(MultipartReader<Chunks>.boundary(contentType: "multipart/form-data; boundary=\"abc\"") == "abc")
        #expect(MultipartReader<Chunks>.boundary(contentType: "application/json") == nil)
    }
}
