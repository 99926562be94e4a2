import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
import VanThuAPI
import VanThuCore
import VanThuSigning
@testable import VanThuServer

@Suite struct DocumentTests {
    @Test func createShowAndDownloadWithAttachments() async throws {
        try await withApp { http, db in
            let token = try await http.login("a1.specialist")
            // Larger than one storage chunk, so that chunking and reassembly are exercised.
            let main = (0..<(BlobStoreChunk.size + 12345)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let id = try await http.createDocument(
                token: token,
                metadata: #"{"type":"QĐ","subject":"Quyết định khen thưởng học sinh giỏi","urgency":"hoa-toc","confidentiality":"thuong","dueDate":"2026-12-31","author":"Nguyễn Thị Thử","draftingUnit":"Tổ Văn phòng"}"#,
                main: main, attachments: [Array("phụ lục".utf8)])
            let r = try await http.get("/api/v1/documents/\(id)", token: token)
            let doc = try APICoding.makeDecoder().decode(DocumentResponse.self, from: Data(buffer: r.body))
            #expect(doc.type == "QĐ" && doc.typeName == "Quyết định")
            #expect(doc.urgency == .flash)
            #expect(doc.dueDate?.description == "2026-12-31")
            #expect(doc.status == .submitted)
            #expect(doc.version == 1)
            #expect(doc.files.count == 2)
            #expect(doc.files.first { $0.role == .main }?.sha256 == StreamingDigest.hash(main).hexString)
            #expect(doc.files.first { $0.role == .main }?.name == "văn bản.pdf")

            let content = try await http.get("/api/v1/documents/\(id)/content", token: token)
            #expect(content.status == .ok)
            #expect(Array(content.body.readableBytesView) == main)
            #expect(content.headers[HTTPField.Name("X-Content-SHA256")!] == StreamingDigest.hash(main).hexString)
            #expect(content.headers[.contentDisposition]?.contains("filename*=UTF-8''v%C4%83n%20b%E1%BA%A3n.pdf") == true)
            #expect(try await db.count("blob_chunks") == 3)
            #expect(try await db.count("audit_events WHERE action = 'document.create'") == 1)
        }
    }

    /// The answer to a create is built from what the inserts returned; it must equal what a read gives,
    /// whether the upload was stored by one statement (one small main file) or streamed (with attachments).
    @Test(arguments: [true, false])
    func createAnswersWhatIsStored(withAttachments: Bool) async throws {
        try await withApp { http, _ in
            let token = try await http.login("a1.specialist")
            let attachments: [MultipartBody.Part] = withAttachments ? [.file("attachment", "b.pdf", Array("b".utf8)), .file("attachment", "c.pdf", Array("c".utf8))] : []
            let body = MultipartBody(parts: [
                .json("metadata", #"{"type":"CV","subject":"Công văn về việc tổ chức hội giảng","dueDate":"2026-12-20","recipients":["000.02.31.H56","000.01.31.H56","000.01.31.H56"]}"#),
                .file("main", "công văn.pdf", Array("a".utf8)),
            ] + attachments)
            let created = try await http.execute(uri: "/api/v1/documents", method: .post, headers: body.headers(token: token), body: body.buffer) { r in
                #expect(r.status == .created)
                #expect(r.headers[.location]?.hasPrefix("/api/v1/documents/") == true)
                let document = try APICoding.makeDecoder().decode(DocumentResponse.self, from: Data(buffer: r.body))
                // Ids are written in lower case (RFC 9562), as URLs and the CLI show them.
                let json = String(buffer: r.body)
                for id in [document.id] + document.files.map(\.id) {
                    #expect(json.contains(#""\#(id.uuidString.lowercased())""#), "\(json)")
                    #expect(!json.contains(id.uuidString), "\(json)")
                }
                return document
            }
            let fetched = try APICoding.makeDecoder().decode(DocumentResponse.self, from: Data(buffer: try await http.get("/api/v1/documents/\(created.id)", token: token).body))
            #expect(created == fetched)
            #expect(created.recipients.map(\.description) == ["000.01.31.H56", "000.02.31.H56"])
            #expect(created.files.map(\.name) == (withAttachments ? ["công văn.pdf", "b.pdf", "c.pdf"] : ["công văn.pdf"]))
        }
    }

    /// A main file of exactly one chunk is stored by one statement, one byte more streams in two
    /// chunks; both come back as they went in.
    @Test(arguments: [0, BlobStoreChunk.size, BlobStoreChunk.size + 1])
    func filesAroundTheChunkSizeComeBackWhole(size: Int) async throws {
        try await withApp { http, db in
            let token = try await http.login("a1.specialist")
            let main = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            let id = try await http.createDocument(token: token, metadata: #"{"type":"BC","subject":"Báo cáo"}"#, main: main)
            let content = try await http.get("/api/v1/documents/\(id)/content", token: token)
            #expect(content.status == .ok)
            #expect(Array(content.body.readableBytesView) == main)
            #expect(try await db.count("blob_chunks") == max(1, (size + BlobStoreChunk.size - 1) / BlobStoreChunk.size))
            #expect(try await db.count("blobs WHERE size = \(size)") == 1)
            #expect(try await db.count("audit_events WHERE action = 'document.create'") == 1)
        }
    }

    /// Identical content committed by another upload while this one is being stored: the one
    /// statement cannot see it nor insert it, and the document is stored in a transaction instead,
    /// referring to the other upload's blob.
    @Test func identicalContentCommittedConcurrentlyIsReferenced() async throws {
        try await withApp { http, db in
            let token = try await http.login("b1.clerk")
            let content = Array("nội dung trùng lặp".utf8)
            let sha = ByteBuffer(bytes: StreamingDigest.hash(content))
            let otherBlob = UUID()
            try await db.withConnection { other in
                try await other.query("BEGIN", logger: TestCluster.logger)
                try await other.query("INSERT INTO blobs (id, sha256, size, chunk_count) VALUES (\(otherBlob), \(sha), \(Int64(content.count)), 1)", logger: TestCluster.logger)
                try await other.query("INSERT INTO blob_chunks (blob_id, seq, data) VALUES (\(otherBlob), 0, \(ByteBuffer(bytes: content)))", logger: TestCluster.logger)
                try await withThrowingTaskGroup(of: UUID.self) { group in
                    group.addTask { try await http.createDocument(token: token, metadata: #"{"type":"CV","subject":"Công văn"}"#, main: content) }
                    // Commit once the upload waits on the uncommitted blob.
                    try await Task.sleep(for: .milliseconds(500))
                    try await other.query("COMMIT", logger: TestCluster.logger)
                    _ = try await group.next()
                }
            }
            #expect(try await db.count("documents") == 1)
            #expect(try await db.count("blobs") == 1)
            #expect(try await db.count("blob_chunks") == 1)
            #expect(try await db.count("document_files WHERE blob_id = '\(otherBlob)'") == 1)
        }
    }

    @Test func newVersionKeepsTheOldOneReadable() async throws {
        try await withApp { http, _ in
            let token = try await http.login("a1.specialist")
            let id = try await http.createDocument(token: token, metadata: #"{"type":"KH","subject":"Kế hoạch"}"#, main: Array("v1".utf8))
            let body = MultipartBody(parts: [.file("main", "kế hoạch v2.pdf", Array("version two".utf8))])
            try await http.execute(uri: "/api/v1/documents/\(id)/versions", method: .post, headers: body.headers(token: token), body: body.buffer) { r in
                #expect(r.status == .created)
                let doc = try APICoding.makeDecoder().decode(DocumentResponse.self, from: Data(buffer: r.body))
                #expect(doc.version == 2)
                #expect(doc.files.map(\.version) == [1, 2])
            }
            #expect(String(buffer: try await http.get("/api/v1/documents/\(id)/content", token: token).body) == "version two")
            #expect(String(buffer: try await http.get("/api/v1/documents/\(id)/content?version=1", token: token).body) == "v1")
            #expect(try await http.get("/api/v1/documents/\(id)/content?version=3", token: token).status == .notFound)
            // Another organisation cannot add a version, and learns nothing.
            let other = try await http.login("a2.clerk")
            try await http.execute(uri: "/api/v1/documents/\(id)/versions", method: .post, headers: body.headers(token: other), body: body.buffer) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    @Test func identicalContentIsStoredOnce() async throws {
        try await withApp { http, db in
            let token = try await http.login("b1.clerk")
            let content = Array(repeating: UInt8(7), count: 5000)
            _ = try await http.createDocument(token: token, metadata: #"{"type":"CV","subject":"Công văn 1"}"#, main: content)
            _ = try await http.createDocument(token: token, metadata: #"{"type":"CV","subject":"Công văn 2"}"#, main: content)
            #expect(try await db.count("documents") == 2)
            #expect(try await db.count("document_files") == 2)
            #expect(try await db.count("blobs") == 1)
            #expect(try await db.count("blob_chunks") == 1)
        }
    }

    @Test func subjectsAreStoredInNFC() async throws {
        try await withApp { http, _ in
            let token = try await http.login("b1.clerk")
            let decomposed = "Thông báo".decomposedStringWithCanonicalMapping
            #expect(decomposed.unicodeScalars.count != "Thông báo".unicodeScalars.count)
            let id = try await http.createDocument(token: token, metadata: #"{"type":"TB","subject":"\#(decomposed)"}"#)
            let doc = try APICoding.makeDecoder().decode(DocumentResponse.self, from: Data(buffer: try await http.get("/api/v1/documents/\(id)", token: token).body))
            #expect(doc.subject.unicodeScalars.elementsEqual("Thông báo".precomposedStringWithCanonicalMapping.unicodeScalars))
        }
    }

    @Test func listFiltersAndPaginatesByKeyset() async throws {
        try await withApp { http, _ in
            let token = try await http.login("a1.specialist")
            for i in 0..<5 { _ = try await http.createDocument(token: token, metadata: #"{"type":"BC","subject":"Báo cáo \#(i)"}"#) }
            _ = try await http.createDocument(token: token, metadata: #"{"type":"ĐA","subject":"Đề án","urgency":"khan"}"#)
            _ = try await http.createDocument(token: token, metadata: #"{"type":"DA","subject":"Dự án"}"#)

            func page(_ query: String) async throws -> DocumentPage {
                let r = try await http.get("/api/v1/documents?\(query)", token: token)
                #expect(r.status == .ok, "\(query): \(String(buffer: r.body))")
                return try APICoding.makeDecoder().decode(DocumentPage.self, from: Data(buffer: r.body))
            }
            let enc = { (s: String) in s.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
            #expect(try await page("type=BC").items.count == 5)
            #expect(try await page("type=\(enc("ĐA"))").items.map(\.subject) == ["Đề án"])
            #expect(try await page("type=DA").items.map(\.subject) == ["Dự án"])
            #expect(try await page("urgency=khan").items.count == 1)
            #expect(try await page("status=sent").items.isEmpty)
            let today = CivilDate(vietnamDateOf: Date()).description
            #expect(try await page("from=\(today)&to=\(today)").items.count == 7)
            #expect(try await page("to=2000-01-01").items.isEmpty)

            var seen: [UUID] = []
            var cursor: String?
            repeat {
                let p = try await page("limit=2" + (cursor.map { "&after=\($0)" } ?? ""))
                #expect(p.items.count <= 2)
                seen += p.items.map(\.id)
                cursor = p.nextCursor
            } while cursor != nil
            #expect(seen.count == 7)
            #expect(Set(seen).count == 7)
        }
    }
}

enum BlobStoreChunk {
    static let size = 1 << 20
}
