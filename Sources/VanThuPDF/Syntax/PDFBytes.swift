#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VanThuSigning

/// Read-only bytes of a PDF: an open file read with pread, or a heap copy.
///
/// A file is never read whole: objects come through a small block cache and
/// ranges (digests, copies) stream through one buffer per chunk. Memory-mapping
/// was tried first, but the kernel maps whole large folios of page cache on
/// each fault, so scattered object reads cost about as much RSS as the file.
/// The owner never hands a pointer out beyond scoped `withBytes` calls; a
/// truncated view shares its parent's storage.
final class PDFBytes: @unchecked Sendable {
    private enum Storage {
        case heap(UnsafeMutableRawPointer?)
        case file(FileSource)
    }

    let count: Int
    private let storage: Storage
    /// Keeps a parent alive for a truncated view.
    private let parent: PDFBytes?

    init(copying bytes: [UInt8]) {
        count = bytes.count
        parent = nil
        if bytes.isEmpty {
            storage = .heap(nil)
            return
        }
        let memory = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 1)
        bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        storage = .heap(memory)
    }

    /// Opens the file at `path` for reading.
    init(readingFileAt path: String) throws {
        let source = try FileSource(path: path)
        count = source.size
        storage = .file(source)
        parent = nil
    }

    private init(parent: PDFBytes, length: Int) {
        count = min(length, parent.count)
        storage = parent.storage
        self.parent = parent
    }

    deinit {
        if parent == nil, case .heap(let memory?) = storage { memory.deallocate() }
    }

    /// The first `length` bytes, sharing storage: an earlier revision of the file.
    func prefix(_ length: Int) -> PDFBytes {
        PDFBytes(parent: self, length: length)
    }

    subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count)
        switch storage {
        case .heap(let memory): return memory!.load(fromByteOffset: index, as: UInt8.self)
        case .file(let source): return source.byte(at: index)
        }
    }

    /// Byte at `index`, or nil past either end.
    @inline(__always)
    func at(_ index: Int) -> UInt8? {
        index >= 0 && index < count ? self[index] : nil
    }

    /// Calls `body` with the bytes of `range` (clamped to the data) in one buffer.
    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let lower = max(0, min(range.lowerBound, count))
        let upper = max(lower, min(range.upperBound, count))
        guard upper > lower else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        switch storage {
        case .heap(let memory):
            return try body(UnsafeRawBufferPointer(start: memory! + lower, count: upper - lower))
        case .file(let source):
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: upper - lower, alignment: 16)
            defer { buffer.deallocate() }
            source.read(into: buffer, at: lower)
            return try body(UnsafeRawBufferPointer(buffer))
        }
    }

    /// Streams `range` to `body` in chunks of at most `chunkSize` bytes.
    func forEachChunk(of range: Range<Int>, chunkSize: Int = 256 << 10, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(range.upperBound, start + chunkSize)
            try withBytes(start..<end, body)
            start = end
        }
    }

    /// Every start offset of `needle`, scanning in chunks.
    func offsets(of needle: [UInt8], chunkSize: Int = 256 << 10) -> [Int] {
        guard let first = needle.first, count >= needle.count else { return [] }
        var found: [Int] = []
        var start = 0
        while start < count {
            // Chunks overlap by the needle's length so a match across a boundary is seen.
            let end = min(count, start + chunkSize + needle.count - 1)
            withBytes(start..<end) { chunk in
                var i = 0
                while i + needle.count <= chunk.count {
                    if chunk[i] == first {
                        var match = true
                        for j in 1..<needle.count where chunk[i + j] != needle[j] { match = false; break }
                        if match && found.last != start + i { found.append(start + i) }
                    }
                    i += 1
                }
            }
            start += chunkSize
        }
        return found
    }

    /// The bytes of `range` (clamped) as an array; a file is read straight into it, with no
    /// intermediate buffer.
    func copy(_ range: Range<Int>) -> [UInt8] {
        guard case .file(let source) = storage else { return withBytes(range) { Array($0) } }
        let lower = max(0, min(range.lowerBound, count))
        let upper = max(lower, min(range.upperBound, count))
        return [UInt8](unsafeUninitializedCapacity: upper - lower) { buffer, initialized in
            source.read(into: UnsafeMutableRawBufferPointer(buffer), at: lower)
            initialized = upper - lower
        }
    }

    /// Last index of `needle` that starts at or after `lowerBound` and ends before `upperBound`.
    func lastIndex(of needle: [UInt8], in range: Range<Int>) -> Int? {
        let lower = max(0, range.lowerBound)
        let upper = min(range.upperBound, count)
        guard upper - lower >= needle.count else { return nil }
        return withBytes(lower..<upper) { window in
            var start = window.count - needle.count
            while start >= 0 {
                if window[start] == needle[0] && needle.indices.allSatisfy({ window[start + $0] == needle[$0] }) { return lower + start }
                start -= 1
            }
            return nil
        }
    }

    /// First index of `needle` in `range`, scanning in chunks.
    func firstIndex(of needle: [UInt8], in range: Range<Int>) -> Int? {
        guard let first = needle.first else { return nil }
        let upper = min(range.upperBound, count)
        var start = max(0, range.lowerBound)
        let chunkSize = 1 << 16
        while start + needle.count <= upper {
            let end = min(upper, start + chunkSize + needle.count - 1)
            let hit: Int? = withBytes(start..<end) { chunk in
                var i = 0
                while i + needle.count <= chunk.count {
                    if chunk[i] == first && needle.indices.allSatisfy({ chunk[i + $0] == needle[$0] }) { return i }
                    i += 1
                }
                return nil
            }
            if let hit { return start + hit }
            start += chunkSize
        }
        return nil
    }

    func matches(_ needle: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + needle.count <= count else { return false }
        for (i, b) in needle.enumerated() where self[offset + i] != b { return false }
        return true
    }
}

/// An open file read with pread through a small cache of eight 64 KiB blocks, so
/// byte-at-a-time parsing costs a lock and an array index, not a system call.
final class FileSource: @unchecked Sendable {
    let size: Int
    private let descriptor: Int32
    private let path: String
    private let lock = Lock()
    private static let blockSize = 1 << 16
    private static let maxBlocks = 8
    private var blocks: [Int: [UInt8]] = [:]
    private var order: [Int] = []

    init(path: String) throws {
        self.path = path
        // Non-blocking, so that a FIFO without a writer cannot hang the open; only regular files
        // are read (a pipe, a terminal or /dev/zero could block or never end, and has no size).
        var opened: Int32
        repeat { opened = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) } while opened < 0 && errno == EINTR
        descriptor = opened
        guard descriptor >= 0 else { throw PDFError(.io, "The file \(path) cannot be opened (errno \(errno)).") }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            throw PDFError(.io, "The file \(path) cannot be read (errno \(errno)).")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw PDFError(.io, info.st_mode & S_IFMT == S_IFDIR
                ? "The file \(path) is a directory, not a file."
                : "The file \(path) is not a regular file (a pipe or a device), which VanThu does not read.")
        }
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    func byte(at index: Int) -> UInt8 {
        let number = index / Self.blockSize
        return lock.withLock {
            if let block = blocks[number] { return block[index - number * Self.blockSize] }
            let start = number * Self.blockSize
            var block = [UInt8](repeating: 0, count: min(Self.blockSize, size - start))
            block.withUnsafeMutableBytes { read(into: $0, at: start) }
            if order.count >= Self.maxBlocks { blocks[order.removeFirst()] = nil }
            blocks[number] = block
            order.append(number)
            return block[index - start]
        }
    }

    /// Fills `buffer` from `offset`. A file that shrank under us reads as zeros
    /// past its new end, which the parser then reports as broken syntax.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        if done < buffer.count { (buffer.baseAddress! + done).initializeMemory(as: UInt8.self, repeating: 0, count: buffer.count - done) }
    }
}
