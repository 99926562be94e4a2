#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only bytes of a PDF: a memory-mapped file or a heap copy.
///
/// Mapping lets a 20 MB or 2 GB file be parsed and digested without reading it
/// into the Swift heap. The owner never hands its pointer out beyond scoped
/// `withBytes` calls; a truncated view keeps its parent alive.
final class PDFBytes: @unchecked Sendable {
    private enum Ownership {
        case mapped(UnsafeMutableRawPointer, Int)
        case heap(UnsafeMutableRawPointer)
        case view(PDFBytes)
        case empty
    }

    private let base: UnsafeRawPointer?
    let count: Int
    private let ownership: Ownership

    init(copying bytes: [UInt8]) {
        count = bytes.count
        if bytes.isEmpty {
            base = nil
            ownership = .empty
            return
        }
        let memory = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 1)
        bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        base = UnsafeRawPointer(memory)
        ownership = .heap(memory)
    }

    /// Maps the file at `path` read-only.
    init(mappingFileAt path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw PDFError(.io, "The file \(path) cannot be opened (errno \(errno)).") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw PDFError(.io, "The file \(path) cannot be read (errno \(errno)).") }
        let size = Int(info.st_size)
        count = size
        if size == 0 {
            base = nil
            ownership = .empty
            return
        }
        guard let memory = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), memory != MAP_FAILED else {
            throw PDFError(.io, "The file \(path) cannot be mapped into memory (errno \(errno)).")
        }
        base = UnsafeRawPointer(memory)
        ownership = .mapped(memory, size)
    }

    private init(parent: PDFBytes, length: Int) {
        base = parent.base
        count = min(length, parent.count)
        ownership = .view(parent)
    }

    deinit {
        switch ownership {
        case .mapped(let memory, let size): munmap(memory, size)
        case .heap(let memory): memory.deallocate()
        case .view, .empty: break
        }
    }

    /// The first `length` bytes, sharing memory: an earlier revision of the file.
    func prefix(_ length: Int) -> PDFBytes {
        PDFBytes(parent: self, length: length)
    }

    @inline(__always)
    subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count)
        return base!.load(fromByteOffset: index, as: UInt8.self)
    }

    /// Byte at `index`, or nil past either end.
    @inline(__always)
    func at(_ index: Int) -> UInt8? {
        index >= 0 && index < count ? base!.load(fromByteOffset: index, as: UInt8.self) : nil
    }

    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let lower = max(0, min(range.lowerBound, count))
        let upper = max(lower, min(range.upperBound, count))
        guard let base, upper > lower else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: base + lower, count: upper - lower))
    }

    func copy(_ range: Range<Int>) -> [UInt8] {
        withBytes(range) { Array($0) }
    }

    /// Last index of `needle` that starts at or after `lowerBound` and ends before `upperBound`.
    func lastIndex(of needle: [UInt8], in range: Range<Int>) -> Int? {
        let lower = max(0, range.lowerBound)
        var start = min(range.upperBound, count) - needle.count
        while start >= lower {
            if matches(needle, at: start) { return start }
            start -= 1
        }
        return nil
    }

    /// First index of `needle` in `range`.
    func firstIndex(of needle: [UInt8], in range: Range<Int>) -> Int? {
        guard let first = needle.first else { return nil }
        let upper = min(range.upperBound, count) - needle.count
        var start = max(0, range.lowerBound)
        while start <= upper {
            if self[start] == first && matches(needle, at: start) { return start }
            start += 1
        }
        return nil
    }

    func matches(_ needle: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + needle.count <= count else { return false }
        for (i, b) in needle.enumerated() where self[offset + i] != b { return false }
        return true
    }
}
