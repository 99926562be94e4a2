#if canImport(Glibc)
import Glibc
#endif

/// Where `vanthu sign` writes, decided before anything is signed. A regular file (or a new
/// path) is replaced atomically: written beside it, then renamed over it. An existing file with
/// other hard links, or in a directory the user may not write to, is rewritten in place instead
/// (so the links keep seeing it, and a writable file needs no writable directory). A symbolic link is
/// followed, so the file it points to is replaced and the link stays. A character device or a
/// pipe (a FIFO, /dev/null), also when reached through links, is written through, never
/// replaced. `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` name a descriptor
/// already open: it is written directly, whatever it is (a pipe, a terminal, or a file the
/// shell opened with `>` or `>>`), neither reopened nor replaced.
struct OutputDestination {
    enum Kind: Equatable { case newFile, regularFile, stream, descriptor(Int32) }

    /// The path as given, for messages.
    let path: String
    /// The path written: `path` with symbolic links followed.
    let target: String
    let kind: Kind
    /// Whether the signature goes to standard output (or another open descriptor), so that
    /// messages belong on standard error.
    let mixesWithMessages: Bool

    /// Checks `path` as the output for signing `input`: refused when it is the input itself
    /// (by device and inode, so other spellings, hard links and symbolic links are caught),
    /// or anything but a regular file, a new path, a character device or a pipe.
    init(_ path: String, signing input: String) throws {
        self.path = path
        var inputStatus = stat()
        let inputKnown = stat(input, &inputStatus) == 0
        if let descriptor = Self.openDescriptor(named: path) {
            var status = stat()
            guard fcntl(descriptor, F_GETFD) != -1, fstat(descriptor, &status) == 0 else {
                throw UnusableInput("The output \(path) names a file descriptor that is not open.")
            }
            if inputKnown, inputStatus.isSameFile(as: status) {
                throw UnusableInput("The output \(path) is the file being signed; give another --out.")
            }
            target = path
            kind = .descriptor(descriptor)
            mixesWithMessages = true
            return
        }
        // A device or a pipe reached through links (a link to /dev/null, /dev/tty) is written
        // through as it is: the links are not followed by hand to a name that may not exist.
        var status = stat()
        if stat(path, &status) == 0, [S_IFCHR, S_IFIFO].contains(status.st_mode & S_IFMT) {
            target = path
            kind = .stream
            var output = stat()
            mixesWithMessages = fstat(STDOUT_FILENO, &output) == 0 && output.isSameFile(as: status)
            return
        }
        target = try Self.followingLinks(path)
        mixesWithMessages = false
        if lstat(target, &status) != 0 {
            guard errno == ENOENT else { throw UnusableInput("The output \(path) cannot be examined.") }
            kind = .newFile
            return
        }
        if inputKnown, inputStatus.isSameFile(as: status) {
            throw UnusableInput("The output \(path) is the file being signed; give another --out.")
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: kind = .regularFile
        case S_IFCHR, S_IFIFO: kind = .stream
        case S_IFDIR: throw UnusableInput("The output \(path) is a directory; give a file name with --out.")
        default: throw UnusableInput("The output \(path) is not a regular file, a character device or a pipe.")
        }
    }

    /// The descriptor `path` names, if it is one of the names of this process's open
    /// descriptors: /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N.
    static func openDescriptor(named path: String) -> Int32? {
        switch path {
        case "/dev/stdout": return STDOUT_FILENO
        case "/dev/stderr": return STDERR_FILENO
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                let number = path.dropFirst(prefix.count)
                guard !number.isEmpty, number.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
                return Int32(number)
            }
            return nil
        }
    }

    /// Writes `bytes`; throws one sentence when it cannot.
    func write(_ bytes: [UInt8]) throws {
        let failure = UnusableInput("The signature cannot be written to \(path).")
        switch kind {
        case .descriptor(let fd):
            guard Self.writeAll(fd, bytes) else { throw failure }
        case .stream:
            let fd = open(target, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw failure }
            defer { close(fd) }
            guard Self.writeAll(fd, bytes) else { throw failure }
        case .newFile:
            try writeReplacing(bytes, failure: failure)
        case .regularFile:
            var status = stat()
            if stat(target, &status) == 0, status.st_nlink > 1 {
                try writeInPlace(bytes, failure: failure)
            } else if !(try writeReplacing(bytes, failure: failure, unlessDirectoryRefuses: true)) {
                try writeInPlace(bytes, failure: failure)
            }
        }
    }

    /// Overwrites the existing target, then cuts it to the signature's length.
    private func writeInPlace(_ bytes: [UInt8], failure: UnusableInput) throws {
        let fd = open(target, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure }
        var written = Self.writeAll(fd, bytes)
        written = written && ftruncate(fd, off_t(bytes.count)) == 0 && fsync(fd) == 0
        written = close(fd) == 0 && written
        guard written else { throw failure }
    }

    /// Writes a temporary file in the target's directory and renames it over the target. With
    /// `unlessDirectoryRefuses`, returns false (having written nothing) when the directory does
    /// not let the user create the temporary file.
    @discardableResult
    private func writeReplacing(_ bytes: [UInt8], failure: UnusableInput, unlessDirectoryRefuses: Bool = false) throws -> Bool {
        let slash = target.lastIndex(of: "/")
        let directory = slash.map { String(target[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let name = slash.map { String(target[target.index(after: $0)...]) } ?? target
        var status = stat()
        let existingMode: mode_t? = kind == .regularFile && stat(target, &status) == 0 ? status.st_mode & 0o7777 : nil
        var temporary = ""
        var fd: Int32 = -1
        for _ in 0..<16 where fd < 0 {
            temporary = "\(directory)/.\(name).\(UInt32.random(in: 0...UInt32.max)).tmp"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd < 0 && errno != EEXIST { break }
        }
        if fd < 0 && unlessDirectoryRefuses && [EACCES, EPERM, EROFS].contains(errno) { return false }
        guard fd >= 0 else { throw failure }
        var written = Self.writeAll(fd, bytes)
        if let existingMode { _ = fchmod(fd, existingMode) }
        written = written && fsync(fd) == 0
        written = close(fd) == 0 && written
        guard written, rename(temporary, target) == 0 else {
            unlink(temporary)
            throw failure
        }
        return true
    }

    /// Writes all of `bytes` to `fd`, retrying interrupted and partial writes.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
    }

    /// `path` with symbolic links followed, even when the last one points to a file not yet there.
    private static func followingLinks(_ path: String) throws -> String {
        var current = path
        for _ in 0..<40 {
            var status = stat()
            guard lstat(current, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length > 0 else { throw UnusableInput("The output \(path) is a symbolic link that cannot be read.") }
            let link = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if link.hasPrefix("/") {
                current = link
            } else if let slash = current.lastIndex(of: "/") {
                current = String(current[...slash]) + link
            } else {
                current = link
            }
        }
        throw UnusableInput("The output \(path) is a chain of too many symbolic links.")
    }
}

extension stat {
    /// The same file: device and inode, whatever names or links led to each.
    func isSameFile(as other: stat) -> Bool { st_dev == other.st_dev && st_ino == other.st_ino }
}
