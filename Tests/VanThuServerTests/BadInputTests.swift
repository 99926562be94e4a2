import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VanThuAPI
@testable import VanThuServer

/// Every bad input gets a 4xx problem+json with a stable code, and leaves no row and no blob.
@Suite struct BadInputTests {
    struct Case: CustomStringConvertible, Sendable {
        let description: String
        let parts: [MultipartBody.Part]
        var terminate = true
        var contentType: String? = nil
        let status: HTTPResponse.Status
        let code: String
    }

    static let good = #"{"type":"QĐ","subject":"Quyết định"}"#
    static let file = MultipartBody.Part.file("main", "a.pdf", Array("%PDF-1.7 nội dung".utf8))

    static let cases: [Case] = [
        Case(description: "malformed JSON", parts: [.json("metadata", #"{"type":"QĐ","#), file], status: .badRequest, code: "malformed-json"),
        Case(description: "wrong type", parts: [.json("metadata", #"{"type":"QĐ","subject":42}"#), file], status: .badRequest, code: "malformed-json"),
        Case(description: "missing subject", parts: [.json("metadata", #"{"type":"QĐ"}"#), file], status: .badRequest, code: "malformed-json"),
        Case(description: "unknown field", parts: [.json("metadata", #"{"type":"QĐ","subject":"x","signer":"me"}"#), file], status: .badRequest, code: "unknown-field"),
        Case(description: "invalid UTF-8", parts: [.jsonBytes("metadata", Array(#"{"type":"QĐ","subject":""#.utf8) + [0xC3, 0x28, 0xFF] + Array(#""}"#.utf8)), file], status: .badRequest, code: "invalid-utf8"),
        Case(description: "control character", parts: [.json("metadata", #"{"type":"QĐ","subject":"a\u0007b"}"#), file], status: .unprocessableContent, code: "invalid-field"),
        Case(description: "empty subject", parts: [.json("metadata", #"{"type":"QĐ","subject":"   "}"#), file], status: .unprocessableContent, code: "invalid-field"),
        Case(description: "subject over 500 characters", parts: [.json("metadata", #"{"type":"QĐ","subject":"\#(String(repeating: "ă", count: 501))"}"#), file], status: .unprocessableContent, code: "invalid-field"),
        Case(description: "unknown document type", parts: [.json("metadata", #"{"type":"XYZ","subject":"x"}"#), file], status: .unprocessableContent, code: "unknown-document-type"),
        Case(description: "type with folded diacritics", parts: [.json("metadata", #"{"type":"QD","subject":"x"}"#), file], status: .unprocessableContent, code: "unknown-document-type"),
        Case(description: "bad urgency", parts: [.json("metadata", #"{"type":"QĐ","subject":"x","urgency":"rất khẩn"}"#), file], status: .unprocessableContent, code: "invalid-field"),
        Case(description: "bad due date", parts: [.json("metadata", #"{"type":"QĐ","subject":"x","dueDate":"2026-02-30"}"#), file], status: .unprocessableContent, code: "invalid-field"),
        Case(description: "bad agency code", parts: [.json("metadata", #"{"type":"QĐ","subject":"x","recipients":["H56"]}"#), file], status: .unprocessableContent, code: "invalid-field"),
        Case(description: "unknown recipient", parts: [.json("metadata", #"{"type":"QĐ","subject":"x","recipients":["999.99.99.H99"]}"#), file], status: .unprocessableContent, code: "invalid-request"),
        Case(description: "recipient is the sender", parts: [.json("metadata", #"{"type":"QĐ","subject":"x","recipients":["001.01.31.H56"]}"#), file], status: .unprocessableContent, code: "invalid-request"),
        Case(description: "no main file", parts: [.json("metadata", good)], status: .unprocessableContent, code: "invalid-request"),
        Case(description: "two main files", parts: [.json("metadata", good), file, file], status: .unprocessableContent, code: "invalid-request"),
        Case(description: "metadata not first", parts: [file, .json("metadata", good)], status: .badRequest, code: "missing-metadata"),
        Case(description: "unexpected part", parts: [.json("metadata", good), .file("signature", "a.p7s", [1, 2, 3])], status: .badRequest, code: "unexpected-part"),
        Case(description: "file name with a path", parts: [.json("metadata", good), .file("main", "../../etc/passwd", [1])], status: .unprocessableContent, code: "invalid-field"),
        Case(description: "file over the limit", parts: [.json("metadata", good), .file("main", "big.pdf", Array(repeating: 1, count: 2048)), ], status: .contentTooLarge, code: "file-too-large"),
        Case(description: "interrupted upload", parts: [.json("metadata", good), .raw("--BOUNDARY\r\nContent-Disposition: form-data; name=\"main\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.7 half a file")], terminate: false, status: .badRequest, code: "incomplete-upload"),
        Case(description: "not multipart", parts: [.json("metadata", good)], contentType: "application/json", status: .unsupportedMediaType, code: "unsupported-media-type"),
    ]

    @Test(arguments: cases)
    func rejectedAndNothingStored(_ c: Case) async throws {
        var configuration = ServerConfiguration.forTests
        configuration.maxFileSize = 1024
        try await withApp(configuration: configuration) { http, db in
            let token = try await http.login("a1.specialist")
            let before = try await db.documentCounts()
            let body = MultipartBody(parts: c.parts, terminate: c.terminate)
            var headers = body.headers(token: token)
            if let ct = c.contentType { headers[.contentType] = ct }
            try await http.execute(uri: "/api/v1/documents", method: .post, headers: headers, body: body.buffer) { r in
                #expect(r.status == c.status, "\(c): \(String(buffer: r.body))")
                #expect(r.headers[.contentType] == "application/problem+json")
                #expect(r.problem?.code == c.code, "\(c)")
                #expect(r.problem?.detail?.isEmpty == false)
            }
            #expect(try await db.documentCounts() == before, "\(c) left something behind")
            #expect(try await db.count("audit_events WHERE action LIKE 'document.%'") == 0)
        }
    }

    @Test func idsThatAreNotUUIDs() async throws {
        try await withApp { http, _ in
            let token = try await http.login("a1.clerk")
            for uri in ["/api/v1/documents/42", "/api/v1/documents/not-a-uuid/content", "/api/v1/documents/'%20OR%201=1"] {
                let r = try await http.get(uri, token: token)
                #expect(r.status == .badRequest, "\(uri)")
                #expect(r.problem?.code == "invalid-id")
            }
        }
    }

    @Test func badListParameters() async throws {
        try await withApp { http, _ in
            let token = try await http.login("a1.clerk")
            for (query, code) in [("limit=0", "invalid-parameter"), ("limit=abc", "invalid-parameter"), ("status=done", "invalid-parameter"),
                                  ("type=XX", "unknown-document-type"), ("from=2026-13-01", "invalid-date"), ("after=garbage", "invalid-cursor"),
                                  ("sort=asc", "unknown-parameter")] {
                let r = try await http.get("/api/v1/documents?\(query)", token: token)
                #expect((400..<500).contains(r.status.code), "\(query)")
                #expect(r.problem?.code == code, "\(query)")
            }
        }
    }

    @Test func oversizedJSONBody() async throws {
        try await withApp { http, db in
            let huge = ByteBuffer(string: #"{"username":"a1.clerk","password":""# + String(repeating: "x", count: 70_000) + #""}"#)
            try await http.execute(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"], body: huge) { r in
                #expect(r.status == .contentTooLarge)
                #expect(r.problem?.code == "body-too-large")
            }
            #expect(try await db.count("sessions") == 0)
        }
    }

    @Test func unknownRoutesAreProblemsToo() async throws {
        try await withApp { http, _ in
            let token = try await http.login("a1.clerk")
            let r = try await http.get("/api/v1/nothing-here", token: token)
            #expect(r.status == .notFound)
            #expect(r.headers[.contentType] == "application/problem+json")
        }
    }
}

