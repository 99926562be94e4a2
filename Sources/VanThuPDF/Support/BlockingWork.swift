import NIOPosix

/// Runs parsing and file reading, which block on `pread`, on NIO's shared thread pool, off Swift's
/// cooperative pool, so that a server verifying or signing PDFs keeps its executors free.
enum BlockingWork {
    static func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
