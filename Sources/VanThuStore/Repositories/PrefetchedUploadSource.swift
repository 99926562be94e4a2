import NIOCore

/// An upload whose beginning may have been read ahead, to see whether it is one small file; it
/// then replays what was read before going on with the rest of the upload.
struct PrefetchedUploadSource<Base: FileUploadSource>: FileUploadSource {
    enum Event {
        case file(IncomingFileHeader?)
        case chunk(ByteBuffer)
        case endOfFile
    }

    var base: Base
    /// What was read ahead, replayed in order before `base` is asked again.
    private var replay: [Event] = []
    private var next = 0

    init(base: Base) {
        self.base = base
    }

    /// Reads ahead the upload's first file. When the upload is exactly one `main` file of at most
    /// `limit` bytes, returns it (the upload has then ended); otherwise returns nil and replays
    /// everything read so far to the next reader.
    mutating func prefetchSingleSmallFile(limit: Int64) async throws -> (header: IncomingFileHeader, content: ByteBuffer)? {
        precondition(replay.isEmpty, "prefetch once, before reading")
        guard let header = try await base.nextFile() else {
            replay = [.file(nil)]
            return nil
        }
        replay = [.file(header)]
        var content = ByteBuffer()
        while var piece = try await base.nextChunk() {
            content.writeBuffer(&piece)
            if content.readableBytes > limit {
                // Too large for one statement: the rest of this file streams after the replay.
                replay.append(.chunk(content))
                return nil
            }
        }
        replay += [.chunk(content), .endOfFile]
        let following = try await base.nextFile()
        guard header.role == .main, following == nil else {
            replay.append(.file(following))
            return nil
        }
        replay.append(.file(nil))
        return (header, content)
    }

    mutating func nextFile() async throws -> IncomingFileHeader? {
        // A file's body is always read to its end before the next header is asked for.
        if next < replay.count, case .file(let header) = replay[next] {
            next += 1
            return header
        }
        return try await base.nextFile()
    }

    mutating func nextChunk() async throws -> ByteBuffer? {
        if next < replay.count {
            switch replay[next] {
            case .chunk(let content):
                next += 1
                return content
            case .endOfFile:
                next += 1
                return nil
            case .file:
                return nil
            }
        }
        return try await base.nextChunk()
    }
}
