import NIOPosix

/// Runs blocking OpenSSL and file work on NIO's shared thread pool, off Swift's cooperative pool.
/// The closure is synchronous, so every OpenSSL call and the reading of its error queue happen on
/// one thread. VanThuPDF uses it too, for parsing and reading PDFs (blocking `pread`).
public enum BlockingWork {
    public static func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
