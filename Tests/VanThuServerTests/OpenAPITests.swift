import Foundation
import HummingbirdTesting
import NIOCore
import Testing
@testable import VanThuServer

@Suite struct OpenAPITests {
    /// The description is served, and names every route the router answers.
    @Test func servedAndComplete() async throws {
        try await withApp { http, _ in
            try await http.execute(uri: "/api/v1/openapi.yaml", method: .get) { r in
                #expect(r.status == .ok)
                let text = String(buffer: r.body)
                #expect(text.hasPrefix("openapi: 3.1") || text.contains("\nopenapi: 3.1"))
                for path in ["/healthz:", "/readyz:", "/api/v1/sessions:", "/api/v1/sessions/current:", "/api/v1/me:",
                             "/api/v1/document-types:", "/api/v1/documents:", "/api/v1/documents/{id}:",
                             "/api/v1/documents/{id}/versions:", "/api/v1/documents/{id}/send:",
                             "/api/v1/documents/{id}/content:", "/api/v1/documents/{id}/files/{fileID}/content:"] {
                    #expect(text.contains("  \(path)"), "openapi.yaml lacks \(path)")
                }
                // Every problem code the server can produce is documented.
                let sources = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                    .appendingPathComponent("../../Sources/VanThuServer").standardized.appendingPathComponent("Error/Problem.swift"), encoding: .utf8)
                for match in sources.matches(of: /code: "([a-z0-9-]+)"/) where !match.1.hasPrefix("http-") {
                    #expect(text.contains(String(match.1)), "openapi.yaml does not document \(match.1)")
                }
            }
        }
    }
}
