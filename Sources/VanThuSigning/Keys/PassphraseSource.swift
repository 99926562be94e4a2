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
    /// Bytes that are not UTF-8 are replaced here; keys and PKCS#12 files use `readBytes()`.
    public func read() throws -> String {
        String(decoding: try readBytes(), as: UTF8.self)
    }

    /// Reads the passphrase as the bytes given, which OpenSSL receives unchanged (a passphrase
    /// set by another tool in a legacy encoding need not be UTF-8).
    public func readBytes() throws -> [UInt8] {
        switch self {
        case .literal(let text):
            return Array(text.utf8)
        case .environment(let name):
            guard let value = getenv(name) else {
                throw SigningError(.passphraseSource, "The environment variable \(name) that should hold the passphrase is not set.")
            }
            return Array(UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: strlen(value)))
        case .file(let path):
            // open and read, not a whole-file read: the path may be a pipe (`file:<(...)`) or a device.
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw SigningError(.passphraseSource, "The passphrase file \(path) cannot be read.")
            }
            defer { close(fd) }
            return try Self.firstLine(readingDescriptor: fd, name: "the passphrase file \(path)")
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

    private static func firstLine(of bytes: [UInt8]) -> [UInt8] {
        let line = bytes.prefix { $0 != 10 }
        return Array(line.last == 13 ? line.dropLast() : line)
    }

    /// Reads byte by byte up to the first newline so nothing after it is consumed. An empty
    /// line is an empty passphrase; no line at all (end of input at once) is an error, as it is
    /// for OpenSSL's `-passin`, rather than a wrong passphrase later.
    private static func firstLine(readingDescriptor fd: Int32, name: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        var ended = false
        while bytes.count < 4096 {
            let count = Glibc.read(fd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw SigningError(.passphraseSource, "The passphrase cannot be read from \(name).") }
            if count == 0 { ended = true; break }
            if byte == 10 { break }
            bytes.append(byte)
        }
        if ended && bytes.isEmpty { throw SigningError(.passphraseSource, "No passphrase was read from \(name): it is empty.") }
        return firstLine(of: bytes)
    }

    private static func prompt(_ prompt: String) throws -> [UInt8] {
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
        // Interrupted (Ctrl-C), terminated or suspended (Ctrl-Z) while echo is off, the terminal
        // must not be left without echo: handlers restore it first.
        let previous = HiddenInputSignals.install(terminal: tty, saved: saved, hidden: hidden)
        guard tcsetattr(tty, TCSAFLUSH, &hidden) == 0 else {
            HiddenInputSignals.uninstall(previous)
            throw SigningError(.passphraseSource, "The terminal cannot be switched to hidden input.")
        }
        defer {
            tcsetattr(tty, TCSAFLUSH, &saved)
            HiddenInputSignals.uninstall(previous)
            _ = Glibc.write(tty, "\n", 1)
        }
        return try firstLine(readingDescriptor: tty, name: "the terminal")
    }
}

/// Signal handlers active while the passphrase prompt has echo off. Only one prompt runs at a
/// time (a person answers it); the state is written before the handlers are installed.
private enum HiddenInputSignals {
    nonisolated(unsafe) static var terminal: Int32 = -1
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var hidden = termios()
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP]

    static func install(terminal: Int32, saved: termios, hidden: termios) -> [sigaction] {
        Self.terminal = terminal
        Self.saved = saved
        Self.hidden = hidden
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            tcsetattr(HiddenInputSignals.terminal, TCSAFLUSH, &HiddenInputSignals.saved)
            if signal == SIGTSTP {
                // Stop now, with the terminal as it was; once continued, hide the input again.
                raise(SIGSTOP)
                tcsetattr(HiddenInputSignals.terminal, TCSAFLUSH, &HiddenInputSignals.hidden)
                return
            }
            // The default action (end the process) once this handler returns: SA_RESETHAND has
            // restored it, and the signal stays blocked until then.
            raise(signal)
        }
        sigemptyset(&action.sa_mask)
        var previous: [sigaction] = []
        for signal in signals {
            var old = sigaction()
            action.sa_flags = signal == SIGTSTP ? SA_RESTART : Int32(truncatingIfNeeded: SA_RESETHAND)
            sigaction(signal, &action, &old)
            previous.append(old)
        }
        return previous
    }

    static func uninstall(_ previous: [sigaction]) {
        for (signal, old) in zip(signals, previous) {
            var old = old
            sigaction(signal, &old, nil)
        }
    }
}
