import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VanThuAPI
import VanThuCore
@testable import VanThuServer

/// The rule table of README.md: a person sees a document if their organisation created it, or it
/// was sent to their organisation. Anything else answers 404, exactly like a missing document.
@Suite struct VisibilityTests {
    @Test func theMatrix() async throws {
        try await withApp { http, _ in
            let a1 = try await http.login("a1.specialist")
            let doc = try await http.createDocument(
                token: a1, metadata: #"{"type":"BC","subject":"Báo cáo sĩ số","recipients":["000.01.31.H56"]}"#)
            var tokens: [String: String] = [:]
            for (user, _, _) in TestProvince.people { tokens[user] = try await http.login(user) }

            func sees(_ user: String) async throws -> Bool {
                let r = try await http.get("/api/v1/documents/\(doc)", token: tokens[user]!)
                #expect(r.status == .ok || r.status == .notFound)
                if r.status == .notFound {
                    // Indistinguishable from a document that does not exist.
                    let missing = try await http.get("/api/v1/documents/\(UUID())", token: tokens[user]!)
                    #expect(missing.problem?.code == r.problem?.code)
                    #expect(missing.status == r.status)
                }
                let list = try await http.get("/api/v1/documents", token: tokens[user]!)
                let page = try APICoding.makeDecoder().decode(DocumentPage.self, from: Data(buffer: list.body))
                #expect(page.items.contains { $0.id == doc } == (r.status == .ok), "list and show agree for \(user)")
                return r.status == .ok
            }

            // Before it is sent: only the creating school.
            let before: [String: Bool] = [
                "a1.clerk": true, "a1.specialist": true, "a1.leader": true,
                "a.clerk": false, "a.specialist": false, "a2.clerk": false, "a2.admin": false,
                "b.clerk": false, "b1.clerk": false, "dept.clerk": false, "dept.leader": false, "dept.admin": false,
            ]
            for (user, expected) in before { #expect(try await sees(user) == expected, "before sending: \(user)") }

            // The school's clerk sends it to its district office.
            try await http.execute(uri: "/api/v1/documents/\(doc)/send", method: .post, headers: [.authorization: "Bearer \(tokens["a1.clerk"]!)"]) { r in
                #expect(r.status == .ok)
            }
            var after = before
            after["a.clerk"] = true
            after["a.specialist"] = true
            for (user, expected) in after { #expect(try await sees(user) == expected, "after sending: \(user)") }

            // Once sent, the content is frozen: a change needs a replacement document.
            let v2 = MultipartBody(parts: [.file("main", "v2.pdf", Array("khác".utf8))])
            try await http.execute(uri: "/api/v1/documents/\(doc)/versions", method: .post, headers: v2.headers(token: tokens["a1.clerk"]!), body: v2.buffer) { r in
                #expect(r.status == .conflict)
            }
            // Another school cannot download it; the recipient can.
            let other = try await http.get("/api/v1/documents/\(doc)/content", token: tokens["a2.clerk"]!)
            #expect(other.status == .notFound)
            let recipient = try await http.get("/api/v1/documents/\(doc)/content", token: tokens["a.clerk"]!)
            #expect(recipient.status == .ok)
        }
    }

    @Test func onlyAClerkSends() async throws {
        try await withApp { http, db in
            let a1 = try await http.login("a1.specialist")
            let doc = try await http.createDocument(token: a1, metadata: #"{"type":"TTr","subject":"Tờ trình","recipients":["000.01.31.H56"]}"#)
            try await http.execute(uri: "/api/v1/documents/\(doc)/send", method: .post, headers: [.authorization: "Bearer \(a1)"]) { r in
                #expect(r.status == .forbidden)
                #expect(r.problem?.code == "clerk-only")
            }
            // A clerk of another school learns nothing.
            let a2 = try await http.login("a2.clerk")
            try await http.execute(uri: "/api/v1/documents/\(doc)/send", method: .post, headers: [.authorization: "Bearer \(a2)"]) { r in
                #expect(r.status == .notFound)
            }
            #expect(try await db.count("document_recipients WHERE sent_at IS NOT NULL") == 0)
        }
    }
}
