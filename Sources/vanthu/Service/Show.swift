import ArgumentParser
import Foundation
import VanThuAPI

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a document's metadata, versions and files.")
    @Argument(help: "The document's id.") var id: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reportingFailures {
            guard let uuid = UUID(uuidString: id) else { throw ClientFailure("'\(id)' is not a document id (a UUID)", .unusable) }
            let client = APIClient(session: try StoredSession.load())
            let d = try await client.json(DocumentResponse.self, client.request(.GET, "/api/v1/documents/\(uuid.uuidString.lowercased())"))
            if json { return printJSON(d) }
            print("\(d.typeName) (\(d.type)): \(d.subject)")
            print("  id:              \(d.id.uuidString.lowercased())")
            print("  status:          \(d.status.rawValue)")
            print("  urgency:         \(d.urgency.vietnameseName)")
            print("  confidentiality: \(d.confidentiality.vietnameseName)")
            if let due = d.dueDate { print("  due:             \(due)") }
            print("  organisation:    \(d.organisation.name) [\(d.organisation.code)]")
            print("  created:         \(ISO8601.vietnam(d.createdAt)) by \(d.createdBy)")
            if !d.recipients.isEmpty { print("  recipients:      \(d.recipients.map(\.description).joined(separator: ", "))") }
            print("  version:         \(d.version)")
            print("")
            printTable(header: ["VER", "ROLE", "SIZE", "SHA-256", "NAME"], rows: d.files.map { f in
                [String(f.version), f.role.rawValue, ByteCountFormatter.string(fromByteCount: f.size, countStyle: .binary),
                 String(f.sha256.prefix(16)) + "…", f.name]
            })
        }
    }
}

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Dispatch a document to its recipients (clerks only).")
    @Argument(help: "The document's id.") var id: String

    func run() async throws {
        try await reportingFailures {
            guard let uuid = UUID(uuidString: id) else { throw ClientFailure("'\(id)' is not a document id (a UUID)", .unusable) }
            let client = APIClient(session: try StoredSession.load())
            let d = try await client.json(DocumentResponse.self, client.request(.POST, "/api/v1/documents/\(uuid.uuidString.lowercased())/send"))
            print("sent to \(d.recipients.map(\.description).joined(separator: ", "))")
        }
    }
}
