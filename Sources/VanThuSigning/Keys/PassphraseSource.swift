#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Where a passphrase comes from, in OpenSSL's `-passin` syntax, so it never has to be
/// written on a command line: `pass:TEXT` (tests only), `env:VAR`, `file:PATH` (first line),
/// `fd:N` (first line), `stdin` (first line), or a prompt without echo on the terminal.
public enum PassphraseSource: Sendable, Hashable, CustomStringConvertible {
    case literal(String)
    case environment(String)
    case file(String)
    case fileDescriptor(Int32)
    case standardInput
    case terminalPrompt(String)

    public init(parsing text: String) throws {
        if text == "stdin" { self = .standardInput; return }
        if text.hasPrefix("pass:") { self = .literal(String(text.dropFirst(5))); return }
        if text.hasPrefix("env:"), text.count > 4 { self = .environment(String(text.dropFirst(4))); return }
        if text.hasPrefix("file:"), text.count > 5 { self = .file(String(text.dropFirst(5))); return }
        if text.hasPrefix("fd:"), let fd = Int32(text.dropFirst(3)), fd >= 0 { self = .fileDescriptor(fd); return }
        throw SigningError(.passphraseSource,
            "The passphrase source must be pass:TEXT, env:VAR, file:PATH, fd:N or stdin.")
    }

    /// Reads the passphrase. A source is read once: `stdin` and `fd:` consume their first line.
    public func read() throws -> String {
        switch self {
        case .literal(let text):
            return text
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw SigningError(.passphraseSource, "The environment variable \(name) that should hold the passphrase is not set.")
            }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SigningError(.passphraseSource, "The passphrase file \(path) cannot be read.")
            }
            return Self.firstLine(of: [UInt8](data))
        case .fileDescriptor(let fd):
            return try Self.firstLine(readingDescriptor: fd, name: "file descriptor \(fd)")
        case .standardInput:
            return try Self.firstLine(readingDescriptor: STDIN_FILENO, name: "standard input")
        case .terminalPrompt(let prompt):
            return try Self.prompt(prompt)
        }
    }

    public var description: String {
        switch self {
        case .literal: "pass:…"
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        case .fileDescriptor(let fd): "fd:\(fd)"
        case .standardInput: "stdin"
        case .terminalPrompt: "terminal prompt"
        }
    }

    private static func firstLine(of bytes: [UInt8]) -> String {
        let line = bytes.prefix { $0 != 10 }
        let trimmed = line.last == 13 ? line.dropLast() : line
        return String(decoding: trimmed, as: UTF8.self)
    }

    /// Reads byte by byte up to the first newline so nothing after it is consumed.
    private static func firstLine(readingDescriptor fd: Int32, name: String) throws -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < 4096 {
            let count = Glibc.read(fd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw SigningError(.passphraseSource, "The passphrase cannot be read from \(name).") }
            if count == 0 || byte == 10 { break }
            bytes.append(byte)
        }
        return firstLine(of: bytes)
    }

    private static func prompt(_ prompt: String) throws -> String {
        let tty = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard tty >= 0 else {
            throw SigningError(.passphraseSource, "A passphrase is needed and there is no terminal to ask for it: use --passphrase.")
        }
        defer { close(tty) }
        var saved = termios()
        guard tcgetattr(tty, &saved) == 0 else {
            throw SigningError(.passphraseSource, "The terminal cannot be switched to hidden input.")
        }
        var hidden = saved
        hidden.c_lflag &= ~tcflag_t(ECHO)
        _ = prompt.withCString { Glibc.write(tty, $0, strlen($0)) }
        guard tcsetattr(tty, TCSAFLUSH, &hidden) == 0 else {
            throw SigningError(.passphraseSource, "The terminal cannot be switched to hidden input.")
        }
        defer {
            tcsetattr(tty, TCSAFLUSH, &saved)
            _ = Glibc.write(tty, "\n", 1)
        }
        return try firstLine(readingDescriptor: tty, name: "the terminal")
    }
}
