import ArgumentParser
import Foundation
import VanThuPDF
import VanThuSigning

/// Prints one sentence on stderr and ends with exit status 3: the input or the command could not be used.
struct UnusableInput: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Runs a signing command body, turning library errors into one sentence on stderr and exit 3.
func runReportingUnusableInput(_ body: () async throws -> Void) async throws {
    do {
        try refuseArgumentsThatAreNotUTF8()
        try await body()
    } catch let error as SigningError {
        printError(error.message)
        throw ExitCode(3)
    } catch let error as UnusableInput {
        printError(error.message)
        throw ExitCode(3)
    } catch let error as PDFError {
        printError(error.message)
        throw ExitCode(3)
    }
}

/// Swift hands the arguments over as strings, with bytes that are not UTF-8 replaced by U+FFFD:
/// such a file name (a Latin-1 name from an old archive) no longer names its file, and a
/// passphrase would change. Say so, rather than that the file cannot be read.
func refuseArgumentsThatAreNotUTF8() throws {
    for index in 1..<Int(CommandLine.argc) {
        guard let raw = CommandLine.unsafeArgv[index], String(validatingCString: raw) == nil else { continue }
        throw UnusableInput("The argument \(String(cString: raw).escapingControlCharacters) is not valid UTF-8 (the bytes shown as \u{FFFD}), so vanthu cannot use it; give the file a UTF-8 name.")
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("vanthu: \(message)\n".utf8))
}

/// `--passphrase` when given; otherwise a hidden prompt if a person is at the terminal.
func passphraseSource(_ text: String?, prompt: String) throws -> PassphraseSource? {
    if let text { return try PassphraseSource(parsing: text) }
    return isatty(STDIN_FILENO) == 1 ? .terminalPrompt(prompt) : nil
}

/// Writes `text` to standard output unbuffered, so that a failed write (a full disk, /dev/full,
/// a closed terminal) is noticed and reported instead of ending with success and no output.
func writeStandardOutput(_ text: String) throws {
    guard OutputDestination.writeAll(STDOUT_FILENO, Array(text.utf8)) else {
        throw UnusableInput("The output cannot be written to standard output.")
    }
}
