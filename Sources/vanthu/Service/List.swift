import ArgumentParser
import Foundation
import VanThuAPI
import VanThuCore

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the documents you can see, newest first.")

    @Option(help: "submitted or sent.") var status: String?
    @Option(help: "Document type code, e.g. QĐ.") var type: String?
    @Option(help: "thuong, khan, thuong-khan or hoa-toc.") var urgency: String?
    @Option(help: "Created on or after this date, yyyy-MM-dd.") var from: String?
    @Option(help: "Created on or before this date, yyyy-MM-dd.") var to: String?
    @Option(help: "At most this many (1–200) per page.") var limit: Int = 50
    @Flag(help: "Follow every page, not just the first.") var all = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reportingFailures {
            guard (1...200).contains(limit) else { throw ClientFailure("--limit must be 1 to 200", .unusable) }
            let client = APIClient(session: try StoredSession.load())
            var query = URLComponents()
            query.queryItems = [("status", status), ("type", type), ("urgency", urgency), ("from", from), ("to", to)]
                .compactMap { k, v in v.map { URLQueryItem(name: k, value: $0) } } + [URLQueryItem(name: "limit", value: String(limit))]
            var items: [DocumentSummary] = []
            var cursor: String?
            repeat {
                var q = query
                if let cursor { q.queryItems!.append(URLQueryItem(name: "after", value: cursor)) }
                let encoded = (q.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
                let page = try await client.json(DocumentPage.self, client.request(.GET, "/api/v1/documents?" + encoded))
                items += page.items
                cursor = page.nextCursor
            } while all && cursor != nil
            if json { return printJSON(items) }
            guard !items.isEmpty else { return print("no documents") }
            let rows = items.map { d in
                [d.id.uuidString.lowercased(), d.type, d.status.rawValue, d.urgency.vietnameseName,
                 ISO8601.vietnam(d.createdAt).prefix(10).description, "v\(d.version)", d.subject]
            }
            printTable(header: ["ID", "TYPE", "STATUS", "URGENCY", "CREATED", "VER", "SUBJECT"], rows: rows)
            if !all, cursor != nil { print("(more: use --all or a narrower filter)") }
        }
    }
}

/// A plain table whose columns line up by characters (Vietnamese letters count as one).
func printTable(header: [String], rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
    for row in all {
        let cells = row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
        }
        print(cells.joined(separator: "  "))
    }
}
