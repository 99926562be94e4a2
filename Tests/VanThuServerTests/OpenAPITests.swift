import Foundation
import HTTPTypes
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

    /// RFC 9110: a known path with a method it does not take is 405 with `Allow`; an unknown path
    /// stays 404 whatever the method (found by schemathesis's undeclared-method check).
    @Test func unsupportedMethodOnAKnownPathIs405WithAllow() async throws {
        try await withApp { http, _ in
            let cases: [(String, HTTPRequest.Method, String)] = [
                ("/healthz", .trace, "GET, HEAD"),
                ("/api/v1/documents", .delete, "GET, HEAD, POST"),
                ("/api/v1/documents/6f1c2d3e-0000-4000-8000-000000000001/send", .get, "POST"),
                ("/api/v1/sessions/current", .put, "DELETE"),
            ]
            for (path, method, allow) in cases {
                try await http.execute(uri: path, method: method) { r in
                    #expect(r.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(r.headers[.allow] == allow, "\(method) \(path)")
                    #expect(r.problem?.code == "method-not-allowed", "\(method) \(path)")
                }
            }
            for (path, method) in [("/api/v1/nothing-here", HTTPRequest.Method.get), ("/api/v1/documents/x/y/z", .post)] {
                try await http.execute(uri: path, method: method) { r in
                    #expect(r.status == .notFound, "\(method) \(path)")
                    #expect(r.problem?.code == "not-found")
                }
            }
        }
    }
}
