import ArgumentParser
import Foundation
import VanThuAPI
import VanThuSigning

struct Download: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download a document's main file (the current version unless --version).",
        discussion: "The content is checked against the SHA-256 the server holds; a mismatch leaves no file behind.")

    @Argument(help: "The document's id.") var id: String
    @Option(help: "Version number of the main file.") var version: Int?
    @Option(name: [.customShort("o"), .long], help: "Where to write it (default: the file's own name, here).") var output: String?

    func run() async throws {
        try await reportingFailures {
            guard let uuid = UUID(uuidString: id) else { throw ClientFailure("'\(id)' is not a document id (a UUID)", .unusable) }
            if let version, version < 1 { throw ClientFailure("--version must be 1 or more", .unusable) }
            let client = APIClient(session: try StoredSession.load())
            let path = "/api/v1/documents/\(uuid.uuidString.lowercased())/content" + (version.map { "?version=\($0)" } ?? "")
            let response = try await client.execute(client.request(.GET, path))
            guard response.status.code == 200 else {
                throw client.failure(response.status.code, try await client.collect(response, limit: 1 << 16))
            }
            let name = Self.fileName(response.headers.first(name: "Content-Disposition")) ?? "\(uuid.uuidString.lowercased()).bin"
            let target = output ?? name
            let partial = target + ".part"
            guard FileManager.default.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o644]),
                  let handle = FileHandle(forWritingAtPath: partial)
            else { throw ClientFailure("cannot write \(partial)", .unusable) }
            var digest = StreamingDigest(.sha256)
            let total = Int64(response.headers.first(name: "Content-Length") ?? "") ?? 0
            let progress = Progress.make(total: total, label: "downloading")
            do {
                for try await buffer in response.body {
                    buffer.withUnsafeReadableBytes { digest.update($0) }
                    try handle.write(contentsOf: buffer.readableBytesView)
                    progress?.advance(by: Int64(buffer.readableBytes))
                }
                try handle.close()
            } catch {
                try? handle.close()
                try? FileManager.default.removeItem(atPath: partial)
                throw ClientFailure("the download was interrupted: \(APIClient.describe(error))", .unreachable)
            }
            progress?.finish()
            let actual = digest.finalize().hexString
            if let expected = response.headers.first(name: "X-Content-SHA256"), expected != actual {
                try? FileManager.default.removeItem(atPath: partial)
                throw ClientFailure("the downloaded content does not match its SHA-256; nothing was written", .unreachable)
            }
            _ = try? FileManager.default.removeItem(atPath: target)
            guard rename(partial, target) == 0 else { throw ClientFailure("cannot write \(target)", .unusable) }
            print(target)
        }
    }

    /// The name from `filename*=UTF-8''…` (or `filename="…"`), reduced to its last path component.
    static func fileName(_ header: String?) -> String? {
        guard let header else { return nil }
        var plain: String?
        for part in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if part.lowercased().hasPrefix("filename*=utf-8''") {
                if let n = String(part.dropFirst("filename*=utf-8''".count)).removingPercentEncoding { return safe(n) }
            } else if part.lowercased().hasPrefix("filename=") {
                plain = String(part.dropFirst("filename=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return plain.flatMap(safe)
    }

    private static func safe(_ name: String) -> String? {
        let last = URL(fileURLWithPath: name).lastPathComponent
        return last.isEmpty || last == "." || last == ".." ? nil : last
    }
}
