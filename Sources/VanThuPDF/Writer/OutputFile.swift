#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A new file written beside its destination and renamed over it when
/// complete, so a failure never leaves a half-written PDF under the real name.
final class OutputFile {
    private let temporaryPath: String
    private let destinationPath: String
    private var descriptor: Int32

    init(replacing destination: String) throws {
        destinationPath = destination
        let slash = destination.lastIndex(of: "/")
        let directory = slash.map { String(destination[..<$0]) } ?? "."
        let name = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        temporaryPath = "\(directory.isEmpty ? "/" : directory)/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).part"
        // 0o666 less the umask, as any new file; a regular file replaced keeps its mode (a 0600
        // output stays private), set before the rename so it is never readable by more people.
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw PDFError(.io, "The signed PDF cannot be written to \(destination) (errno \(errno)).")
        }
        var existing = stat()
        if stat(destination, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG,
           fchmod(descriptor, existing.st_mode & 0o7777) != 0 {
            let error = errno
            close(descriptor)
            descriptor = -1
            unlink(temporaryPath)
            throw PDFError(.io, "The signed PDF cannot be given the mode of \(destination) (errno \(error)).")
        }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw PDFError(.io, "Writing \(destinationPath) failed (errno \(errno)).") }
            offset += written
        }
    }

    /// Flushes, closes and moves the file to its destination.
    func commit() throws {
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            throw PDFError(.io, "Writing \(destinationPath) failed (errno \(errno)).")
        }
        descriptor = -1
        guard rename(temporaryPath, destinationPath) == 0 else {
            unlink(temporaryPath)
            throw PDFError(.io, "The signed PDF cannot be moved to \(destinationPath) (errno \(errno)).")
        }
    }
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
