import Foundation
import Logging
import NIOCore
import PostgresNIO
import VanThuCore
import VanThuSigning

/// A file as it arrives: its header, then its bytes in pieces, pulled one file at a time.
public protocol FileUploadSource {
    /// The next file's header, or nil when there are no more files. The previous file's body must
    /// have been read to its end first.
    mutating func nextFile() async throws -> IncomingFileHeader?
    /// The next piece of the current file's body, or nil at its end.
    mutating func nextChunk() async throws -> ByteBuffer?
}

public struct IncomingFileHeader: Sendable, Equatable {
    public var role: VanThuCore.FileRole
    public var name: String
    public var mediaType: String

    public init(role: VanThuCore.FileRole, name: String, mediaType: String) {
        self.role = role
        self.name = name
        self.mediaType = mediaType
    }
}

/// A stored blob: content addressed by SHA-256.
public struct BlobReference: Sendable, Equatable {
    public let id: UUID
    public let sha256: [UInt8]
    public let size: Int64
}

/// Content-addressed file storage in PostgreSQL, in chunks of `chunkSize` bytes.
///
/// Writes happen inside the caller's transaction: an interrupted upload rolls back with it and
/// leaves no chunk behind. Identical content is stored once.
public struct BlobStore: Sendable {
    public static let chunkSize = 1 << 20
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    /// Streams the current file of `source` into the database.
    /// - Throws: `StoreError(.tooLarge)` once more than `maxSize` bytes arrive.
    public func write(_ tx: PostgresConnection, from source: inout some FileUploadSource, maxSize: Int64) async throws -> BlobReference {
        let provisional = UUID()
        var digest = StreamingDigest(.sha256)
        var pending = ByteBuffer()
        pending.reserveCapacity(Self.chunkSize)
        var size: Int64 = 0
        var seq: Int32 = 0
        while var piece = try await source.nextChunk() {
            size += Int64(piece.readableBytes)
            if size > maxSize {
                throw StoreError(.tooLarge, "the file is larger than the limit of \(maxSize) bytes")
            }
            piece.withUnsafeReadableBytes { digest.update($0) }
            pending.writeBuffer(&piece)
            while pending.readableBytes >= Self.chunkSize {
                let chunk = pending.readSlice(length: Self.chunkSize)!
                try await insertChunk(tx, blob: provisional, seq: seq, data: chunk)
                seq += 1
            }
            pending.discardReadBytes()
        }
        if pending.readableBytes > 0 || seq == 0 {
            try await insertChunk(tx, blob: provisional, seq: seq, data: pending)
            seq += 1
        }
        let sha = digest.finalize()
        // A concurrent upload of the same content waits here for the other transaction to end.
        let inserted = try await tx.query("""
            INSERT INTO blobs (id, sha256, size, chunk_count) VALUES (\(provisional), \(ByteBuffer(bytes: sha)), \(size), \(Int(seq)))
            ON CONFLICT (sha256) DO NOTHING RETURNING id
            """, logger: logger)
        for try await _ in inserted { return BlobReference(id: provisional, sha256: sha, size: size) }
        try await tx.query("DELETE FROM blob_chunks WHERE blob_id = \(provisional)", logger: logger)
        for try await id in try await tx.query("SELECT id FROM blobs WHERE sha256 = \(ByteBuffer(bytes: sha))", logger: logger).decode(UUID.self) {
            return BlobReference(id: id, sha256: sha, size: size)
        }
        throw StoreError(.conflict, "the stored copy of identical content vanished during the upload")
    }

    private func insertChunk(_ tx: PostgresConnection, blob: UUID, seq: Int32, data: ByteBuffer) async throws {
        try await tx.query("INSERT INTO blob_chunks (blob_id, seq, data) VALUES (\(blob), \(seq), \(data))", logger: logger)
    }

    /// The blob's content, one chunk per query so that memory stays at one chunk whatever the size.
    public func read(_ client: PostgresClient, blob: UUID, chunkCount: Int) -> BlobChunks {
        BlobChunks(client: client, blob: blob, chunkCount: chunkCount, logger: logger)
    }
}

public struct BlobChunks: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let client: PostgresClient
    let blob: UUID
    let chunkCount: Int
    let logger: Logger

    public struct AsyncIterator: AsyncIteratorProtocol {
        let chunks: BlobChunks
        var seq: Int32 = 0

        public mutating func next() async throws -> ByteBuffer? {
            guard Int(seq) < chunks.chunkCount else { return nil }
            let rows = try await chunks.client.query(
                "SELECT data FROM blob_chunks WHERE blob_id = \(chunks.blob) AND seq = \(seq)", logger: chunks.logger)
            seq += 1
            for try await data in rows.decode(ByteBuffer.self) { return data }
            throw StoreError(.notFound, "a stored file is missing a chunk")
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: self) }
}
