import NIOCore
import VanThuCore
import VanThuStore

/// Presents the file parts of a multipart body (`main`, `attachment`) to the store.
struct MultipartUploadSource<Body: AsyncSequence>: FileUploadSource where Body.Element == ByteBuffer {
    var reader: MultipartReader<Body>

    nonisolated(nonsending) mutating func nextFile() async throws -> IncomingFileHeader? {
        guard let part = try await reader.nextPart() else { return nil }
        guard let role = FileRole(rawValue: part.name) else {
            throw ProblemError.badRequest("unexpected-part", "a document upload takes parts named 'metadata', 'main' and 'attachment', not '\(part.name)'")
        }
        guard let rawName = part.fileName else {
            throw ProblemError.badRequest("missing-file-name", "the '\(part.name)' part needs a filename")
        }
        let name = try DocumentRules.fileName(rawName)
        let mediaType = try CleanText.line(part.contentType ?? "application/octet-stream", field: "content type", maxLength: 127)
        return IncomingFileHeader(role: role, name: name, mediaType: mediaType)
    }

    nonisolated(nonsending) mutating func nextChunk() async throws -> ByteBuffer? {
        try await reader.nextChunk()
    }

    /// Reads the current part whole, for the small JSON metadata part.
    nonisolated(nonsending) mutating func readSmallPart(limit: Int) async throws -> ByteBuffer {
        var out = ByteBuffer()
        while var piece = try await reader.nextChunk() {
            guard out.readableBytes + piece.readableBytes <= limit else {
                throw ProblemError(.contentTooLarge, code: "metadata-too-large", "the metadata part is larger than \(limit) bytes")
            }
            out.writeBuffer(&piece)
        }
        return out
    }
}
