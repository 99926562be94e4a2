import Foundation
import Logging

/// A PostgreSQL cluster that VanThu runs itself from the system's binaries, under its data
/// directory, reachable only through a Unix socket there.
///
/// PostgreSQL refuses to run as root, so when VanThu runs as root the cluster belongs to an
/// unprivileged system user (`postgres` by default) and every `initdb`/`pg_ctl` runs as that user.
public struct EmbeddedPostgres: Sendable {
    public let dataDirectory: URL
    public let clusterDirectory: URL
    public let socketDirectory: URL
    public let systemUser: String?
    public let binDirectory: URL
    public let port = 5432
    public let maxConnections: Int
    public static let superuser = "vanthu"
    public static let databaseName = "vanthu"

    public var socketPath: String { socketDirectory.appendingPathComponent(".s.PGSQL.\(port)").path }
    public var logFile: URL { dataDirectory.appendingPathComponent("postgres.log") }

    /// - Parameters:
    ///   - dataDirectory: VANTHU_DATA_DIR; the cluster lives in its `postgres/` folder.
    ///   - systemUser: who runs PostgreSQL when we are root; ignored otherwise.
    public init(dataDirectory: URL, systemUser: String = "postgres", binDirectory: URL? = nil, maxConnections: Int = 100) throws(StoreError) {
        self.maxConnections = maxConnections
        let data = dataDirectory.standardizedFileURL
        self.dataDirectory = data
        self.clusterDirectory = data.appendingPathComponent("postgres")
        self.systemUser = geteuid() == 0 ? systemUser : nil
        guard let bin = binDirectory ?? Self.findBinaries() else {
            throw StoreError(.embeddedPostgres,
                "PostgreSQL server binaries (initdb, pg_ctl) were not found; install Debian's postgresql package or set VANTHU_DATABASE_URL.")
        }
        self.binDirectory = bin
        // A Unix socket path must fit in 107 bytes; fall back to a short private folder under /tmp.
        let preferred = data.appendingPathComponent("run")
        if preferred.path.utf8.count + 20 < 100 {
            self.socketDirectory = preferred
        } else {
            let tag = StreamingDigestTag.of(data.path)
            self.socketDirectory = URL(fileURLWithPath: "/tmp/vanthu-\(tag)")
        }
    }

    /// Newest /usr/lib/postgresql/N/bin holding initdb, else `pg_ctl` on PATH.
    static func findBinaries() -> URL? {
        let fm = FileManager.default
        let root = "/usr/lib/postgresql"
        let versions = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        for v in versions {
            let bin = URL(fileURLWithPath: "\(root)/\(v)/bin")
            if fm.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) { return bin }
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let bin = URL(fileURLWithPath: String(dir))
            if fm.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path),
               fm.isExecutableFile(atPath: bin.appendingPathComponent("pg_ctl").path) { return bin }
        }
        return nil
    }

    /// Whether a postmaster is running for this cluster.
    public func isRunning() -> Bool {
        guard FileManager.default.fileExists(atPath: clusterDirectory.appendingPathComponent("PG_VERSION").path) else { return false }
        let result = try? run("pg_ctl", ["status", "-D", clusterDirectory.path])
        return result?.status == 0
    }

    /// Initialises the cluster on first use, clears a stale lock after a crash, and starts it.
    /// - Returns: true if this call started the postmaster (so the caller should stop it).
    @discardableResult
    public func start(logger: Logger) throws(StoreError) -> Bool {
        try prepareDirectories()
        if !FileManager.default.fileExists(atPath: clusterDirectory.appendingPathComponent("PG_VERSION").path) {
            logger.info("initialising embedded PostgreSQL cluster", metadata: ["path": "\(clusterDirectory.path)"])
            let r = try run("initdb", ["-D", clusterDirectory.path, "-U", Self.superuser, "--auth=trust",
                                      "--encoding=UTF8", "--locale=C.UTF-8"])
            guard r.status == 0 else {
                throw StoreError(.embeddedPostgres, "initdb failed: \(r.output.suffix(400))")
            }
        }
        if isRunning() {
            try ensureDatabase()
            return false
        }
        removeStaleLock(logger: logger)
        let options = "-c listen_addresses='' -c unix_socket_directories='\(socketDirectory.path)' -c port=\(port)"
            + " -c unix_socket_permissions=0700 -c max_connections=\(maxConnections) -c shared_buffers=128MB"
        let r = try run("pg_ctl", ["start", "-D", clusterDirectory.path, "-w", "-t", "60", "-s",
                                   "-l", logFile.path, "-o", options])
        guard r.status == 0 else {
            let log = (try? String(contentsOf: logFile, encoding: .utf8)).map { String($0.suffix(600)) } ?? ""
            throw StoreError(.embeddedPostgres, "PostgreSQL did not start: \(r.output.suffix(300)) \(log)")
        }
        logger.info("embedded PostgreSQL started", metadata: ["socket": "\(socketDirectory.path)"])
        try ensureDatabase()
        return true
    }

    /// initdb makes only `postgres` and the templates; VanThu's own database is created on first
    /// start (and again after a crash between the two).
    private func ensureDatabase() throws(StoreError) {
        let r = try run("createdb", ["-h", socketDirectory.path, "-p", String(port), "-U", Self.superuser,
                                     "-E", "UTF8", Self.databaseName])
        guard r.status == 0 || r.output.contains("already exists") else {
            throw StoreError(.embeddedPostgres, "cannot create the database: \(r.output.suffix(300))")
        }
    }

    /// Stops the postmaster, waiting for it (fast mode: open transactions roll back).
    public func stop(logger: Logger) {
        guard isRunning() else { return }
        let r = try? run("pg_ctl", ["stop", "-D", clusterDirectory.path, "-m", "fast", "-w", "-t", "60", "-s"])
        if r?.status == 0 {
            logger.info("embedded PostgreSQL stopped")
        } else {
            logger.error("embedded PostgreSQL did not stop cleanly", metadata: ["output": "\(r?.output ?? "")"])
        }
    }

    /// After a crash postmaster.pid may name a process that no longer exists, or a pid reused by
    /// another program; PostgreSQL would refuse to start. Remove it only if it is not a postgres.
    private func removeStaleLock(logger: Logger) {
        let pidFile = clusterDirectory.appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
              let first = text.split(separator: "\n").first, let pid = Int32(first.trimmingCharacters(in: .whitespaces))
        else { return }
        let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        if comm == "postgres" || comm == "postmaster" { return }
        logger.warning("removing stale postmaster.pid left by a crash", metadata: ["pid": "\(pid)"])
        try? FileManager.default.removeItem(at: pidFile)
    }

    private func prepareDirectories() throws(StoreError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            for dir in [clusterDirectory, socketDirectory] where !fm.fileExists(atPath: dir.path) {
                try fm.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            if let user = systemUser {
                guard let pw = getpwnam(user) else {
                    throw StoreError(.embeddedPostgres,
                        "running as root needs the unprivileged system user '\(user)' to run PostgreSQL; install Debian's postgresql package, which creates it")
                }
                for dir in [clusterDirectory, socketDirectory] { chown(dir.path, pw.pointee.pw_uid, pw.pointee.pw_gid) }
                if !fm.fileExists(atPath: logFile.path) { _ = fm.createFile(atPath: logFile.path, contents: nil) }
                chown(logFile.path, pw.pointee.pw_uid, pw.pointee.pw_gid)
                try checkReachable(by: pw.pointee.pw_uid, gid: pw.pointee.pw_gid, user: user)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.embeddedPostgres, "cannot prepare \(dataDirectory.path): \(error.localizedDescription)")
        }
    }

    /// The postgres user must be able to walk down to the cluster; a data directory under /root
    /// (mode 0700) is not reachable. Say so plainly rather than let initdb fail obscurely.
    private func checkReachable(by uid: uid_t, gid: gid_t, user: String) throws(StoreError) {
        var dir = clusterDirectory.deletingLastPathComponent()
        while dir.path != "/" {
            var st = stat()
            if stat(dir.path, &st) == 0 {
                let mode = st.st_mode
                let ok = st.st_uid == uid ? (mode & S_IXUSR) != 0 : st.st_gid == gid ? (mode & S_IXGRP) != 0 : (mode & S_IXOTH) != 0
                if !ok {
                    throw StoreError(.embeddedPostgres,
                        "the PostgreSQL user '\(user)' cannot enter \(dir.path); set VANTHU_DATA_DIR to a folder it can reach (for example /var/lib/vanthu) or allow it with 'chmod o+x \(dir.path)'")
                }
            }
            dir = dir.deletingLastPathComponent()
        }
    }

    struct CommandResult { var status: Int32; var output: String }

    /// Runs a PostgreSQL program, as the system user when we are root. Never passes secrets.
    private func run(_ program: String, _ arguments: [String]) throws(StoreError) -> CommandResult {
        let executable = binDirectory.appendingPathComponent(program).path
        let argv = systemUser.map { ["/usr/sbin/runuser", "-u", $0, "--", executable] } ?? [executable]
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C.UTF-8"
        env.removeValue(forKey: "PGDATA")
        do {
            return try ChildProcess.run(argv + arguments, environment: env)
        } catch {
            throw StoreError(.embeddedPostgres, "cannot run \(program): \(error)")
        }
    }
}

/// posix_spawn and a blocking waitpid. Foundation's Process is not used: its child reaping
/// missed the exit of `runuser pg_ctl start` (whose grandchild, the postmaster, lives on), and
/// a pipe for output would be inherited and held open by the postmaster.
enum ChildProcess {
    struct SpawnError: Error, CustomStringConvertible { let description: String }

    static func run(_ argv: [String], environment: [String: String]) throws -> EmbeddedPostgres.CommandResult {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("vanthu-pg-\(UUID().uuidString)").path
        let fd = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SpawnError(description: "cannot create a temporary file for the output") }
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        posix_spawn_file_actions_adddup2(&actions, fd, 2)
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
        close(fd)
        guard rc == 0 else { throw SpawnError(description: "posix_spawn \(argv[0]) failed: \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw SpawnError(description: "waitpid failed: \(String(cString: strerror(errno)))") }
        }
        let exited = (status & 0x7f) == 0
        let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return EmbeddedPostgres.CommandResult(status: code, output: String(decoding: data, as: UTF8.self))
    }
}

/// A short stable tag for a path, for socket folders under /tmp.
enum StreamingDigestTag {
    static func of(_ text: String) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return String(hash, radix: 16)
    }
}
