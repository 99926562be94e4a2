import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// Digests of several algorithms over the same chunks, fed from an async sequence. Large chunks
/// are hashed on the thread pool, off the cooperative pool; the box is only ever used by one
/// task at a time, which is what makes handing it to the pool sound.
final class ChunkHasher: @unchecked Sendable {
    private let digests: [(Int32, AnyDigest)]
    static let offloadThreshold = 64 << 10

    /// `nids`: distinct digest NIDs.
    init(nids: [Int32]) { digests = nids.compactMap { nid in AnyDigest(nid: nid).map { (nid, $0) } } }

    func update(_ chunk: [UInt8]) {
        chunk.withUnsafeBytes { bytes in for (_, digest) in digests { digest.update(bytes) } }
    }

    func consume<Chunks: AsyncSequence>(_ chunks: Chunks) async throws where Chunks.Element == [UInt8] {
        for try await chunk in chunks {
            if chunk.count >= Self.offloadThreshold {
                try await BlockingWork.run { self.update(chunk) }
            } else {
                update(chunk)
            }
        }
    }

    func finalize() -> [Int32: [UInt8]] {
        Dictionary(uniqueKeysWithValues: digests.map { ($0.0, $0.1.finalize()) })
    }
}

/// Streams a file through `body` in 1 MiB pieces with one reused buffer, so memory stays
/// flat whatever the file's size. `what` names the file in errors ("The signature file … cannot
/// be opened.").
func readFileInChunks(_ path: String, what: String = "file", _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    var fd: Int32
    // Non-blocking, so that a FIFO without a writer cannot hang the open; only regular files
    // are read (a FIFO, a terminal or /dev/zero could block or never end).
    repeat { fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) } while fd < 0 && errno == EINTR
    guard fd >= 0 else { throw SigningError(.unreadableFile, "The \(what) \(path) cannot be opened.") }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0 else { throw SigningError(.unreadableFile, "The \(what) \(path) cannot be read.") }
    guard (status.st_mode & S_IFMT) == S_IFREG else {
        throw SigningError(.unreadableFile, (status.st_mode & S_IFMT) == S_IFDIR
            ? "The \(what) \(path) is a directory, not a file." : "The \(what) \(path) is not a regular file (a pipe or a device), which VanThu does not read.")
    }
    // Small documents get a buffer of their own size: a 1 MiB allocation per call is an
    // mmap and munmap, a cost that shows when thousands of small files are signed a second.
    let fileSize = Int(status.st_size)
    let size = min(1 << 20, max(4096, fileSize + 1))
    #if os(Linux)
    // Read-ahead advice only pays for files read in several pieces; for the others it is one
    // more system call per document.
    if fileSize >= size { _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) }
    #endif
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
    defer { buffer.deallocate() }
    while true {
        let count = read(fd, buffer.baseAddress, size)
        if count < 0 {
            if errno == EINTR { continue }
            throw SigningError(.unreadableFile, "The \(what) \(path) cannot be read.")
        }
        if count == 0 { return }
        try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
}

extension StreamingDigest {
    /// Digest of a file read as a stream, never loaded whole. Blocking: call it off the cooperative pool.
    public static func hash(fileAt path: String, algorithm: DigestAlgorithm = .sha256) throws -> [UInt8] {
        var digest = StreamingDigest(algorithm)
        try readFileInChunks(path) { digest.update($0) }
        return digest.finalize()
    }
}
