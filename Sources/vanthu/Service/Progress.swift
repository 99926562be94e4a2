import Foundation

/// A progress bar on stderr for transfers over a few MB, drawn only on a terminal.
final class Progress: @unchecked Sendable {
    static let threshold: Int64 = 4 << 20
    private let total: Int64
    private let label: String
    private var done: Int64 = 0
    private var lastDraw = Date.distantPast
    private let lock = NSLock()
    private let started = Date()

    /// nil when the transfer is small or stderr is not a terminal.
    static func make(total: Int64, label: String) -> Progress? {
        guard total >= threshold, isatty(STDERR_FILENO) == 1 else { return nil }
        return Progress(total: total, label: label)
    }

    private init(total: Int64, label: String) {
        self.total = total
        self.label = label
    }

    func advance(by n: Int64) {
        lock.lock()
        defer { lock.unlock() }
        done += n
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || done >= total else { return }
        lastDraw = now
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = Double(done) / max(0.001, now.timeIntervalSince(started)) / 1_048_576
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = String(format: "\r%@ %@ %3d%% %.1f MiB/s", label, bar, Int(fraction * 100), rate)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
