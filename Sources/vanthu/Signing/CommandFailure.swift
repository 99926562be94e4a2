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
