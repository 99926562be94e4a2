import Foundation
import NIOCore

/// A multipart/form-data body streamed from files on disk, with its exact length known in
/// advance so that no chunked encoding is needed and memory stays at one piece.
struct MultipartUpload {
    struct FilePart {
        let name: String
        let path: String
        let fileName: String
        let mediaType: String
        let size: Int64
    }

    let boundary = "vanthu-" + UUID().uuidString
    let metadata: Data?
    let files: [FilePart]

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    private func header(name: String, fileName: String?, mediaType: String) -> Data {
        var h = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\""
        if let fileName {
            let ascii = String(fileName.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0.value >= 0x20 ? Character($0) : "_" })
            let encoded = fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ascii
            h += "; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
        }
        h += "\r\nContent-Type: \(mediaType)\r\n\r\n"
        return Data(h.utf8)
    }

    private var closing: Data { Data("--\(boundary)--\r\n".utf8) }

    var totalLength: Int64 {
        var n: Int64 = 0
        if let metadata { n += Int64(header(name: "metadata", fileName: nil, mediaType: "application/json").count + metadata.count + 2) }
        for f in files { n += Int64(header(name: f.name, fileName: f.fileName, mediaType: f.mediaType).count) + f.size + 2 }
        return n + Int64(closing.count)
    }

    /// The body, piece by piece; `progress` hears how many file bytes have gone.
    func pieces(progress: Progress?) -> AsyncThrowingStream<ByteBuffer, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream(bufferingPolicy: .bufferingOldest(4))
        let parts = self
        let thread = Thread {
            do {
                func yield(_ data: Data) { Self.send(ByteBuffer(data: data), to: continuation) }
                if let metadata = parts.metadata {
                    yield(parts.header(name: "metadata", fileName: nil, mediaType: "application/json") + metadata + Data("\r\n".utf8))
                }
                for f in parts.files {
                    yield(parts.header(name: f.name, fileName: f.fileName, mediaType: f.mediaType))
                    guard let handle = FileHandle(forReadingAtPath: f.path) else { throw ClientFailure("cannot read \(f.path)", .unusable) }
                    defer { try? handle.close() }
                    var sent: Int64 = 0
                    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                        yield(chunk)
                        sent += Int64(chunk.count)
                        progress?.advance(by: Int64(chunk.count))
                    }
                    guard sent == f.size else { throw ClientFailure("\(f.path) changed while it was being sent", .unusable) }
                    yield(Data("\r\n".utf8))
                }
                yield(parts.closing)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        thread.start()
        return stream
    }

    /// Blocks the reading thread while the stream's buffer is full, so a 1 GiB file is never read
    /// faster than the network takes it.
    private static func send(_ buffer: ByteBuffer, to continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation) {
        while true {
            switch continuation.yield(buffer) {
            case .enqueued, .terminated: return
            case .dropped: usleep(2000)
            @unknown default: return
            }
        }
    }
}
