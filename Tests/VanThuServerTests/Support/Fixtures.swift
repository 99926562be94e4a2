import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Testing
import VanThuAPI
import VanThuCore
import VanThuServer
import VanThuStore

/// A small province for tests: the department, two district offices, three schools, people.
struct TestProvince {
    static let password = "mật-khẩu-thử-2026"
    static let department = try! AgencyCode("000.00.31.H56")
    static let districtA = try! AgencyCode("000.01.31.H56")
    static let districtB = try! AgencyCode("000.02.31.H56")
    static let schoolA1 = try! AgencyCode("001.01.31.H56")
    static let schoolA2 = try! AgencyCode("002.01.31.H56")
    static let schoolB1 = try! AgencyCode("001.02.31.H56")

    /// username → organisation
    static let people: [(String, AgencyCode, Role)] = [
        ("dept.clerk", department, .clerk), ("dept.leader", department, .leader), ("dept.admin", department, .admin),
        ("a.clerk", districtA, .clerk), ("a.specialist", districtA, .specialist),
        ("b.clerk", districtB, .clerk),
        ("a1.clerk", schoolA1, .clerk), ("a1.specialist", schoolA1, .specialist), ("a1.leader", schoolA1, .leader),
        ("a2.clerk", schoolA2, .clerk), ("a2.admin", schoolA2, .admin),
        ("b1.clerk", schoolB1, .clerk),
    ]

    static func seed(_ client: PostgresClient) async throws {
        let orgs = OrganisationRepository(client: client, logger: TestCluster.logger)
        try await orgs.add(code: department, name: "Sở Giáo dục và Đào tạo tỉnh Thanh Hóa", abbreviation: "SGDĐT", kind: .department, parentCode: nil)
        try await orgs.add(code: districtA, name: "Phòng Giáo dục và Đào tạo thành phố Thanh Hóa", abbreviation: "PGDĐT", kind: .districtOffice, parentCode: department)
        try await orgs.add(code: districtB, name: "Phòng Giáo dục và Đào tạo huyện Hoằng Hóa", abbreviation: "PGDĐT", kind: .districtOffice, parentCode: department)
        try await orgs.add(code: schoolA1, name: "Trường THCS Trần Mai Ninh", abbreviation: "THCSTMN", kind: .school, parentCode: districtA)
        try await orgs.add(code: schoolA2, name: "Trường Tiểu học Lê Lợi", abbreviation: "THLL", kind: .school, parentCode: districtA)
        try await orgs.add(code: schoolB1, name: "Trường THCS Nguyễn Du", abbreviation: "THCSND", kind: .school, parentCode: districtB)
        let hash = Bcrypt.hash(password, cost: 4)
        let users = UserRepository(client: client, logger: TestCluster.logger)
        for (username, org, role) in people {
            try await users.add(organisation: org, username: username, fullName: "Nguyễn Thị Thử", title: nil, role: role, division: nil, passwordHash: hash)
        }
    }
}

extension ServerConfiguration {
    static var forTests: ServerConfiguration {
        var c = ServerConfiguration()
        c.bcryptCost = 4
        c.maxFileSize = 5 << 20
        c.loginThrottle.freeFailures = 1
        c.loginThrottle.delayStep = .milliseconds(10)
        c.loginThrottle.maxDelay = .milliseconds(20)
        c.loginThrottle.lockAfter = 4
        c.loginThrottle.lockDuration = .seconds(600)
        return c
    }
}

/// A test against the real router on a fresh database seeded with `TestProvince`.
func withApp(configuration: ServerConfiguration = .forTests,
             _ body: @Sendable @escaping (any TestClientProtocol, PostgresClient) async throws -> Void) async throws {
    try await withTestDatabase { client in
        try await TestProvince.seed(client)
        let router = buildRouter(configuration: configuration, client: client, logger: TestCluster.logger)
        let app = Application(router: router, logger: TestCluster.logger)
        try await app.test(.router) { http in try await body(http, client) }
    }
}

extension TestClientProtocol {
    func login(_ username: String, password: String = TestProvince.password) async throws -> String {
        let body = ByteBuffer(string: #"{"username":"\#(username)","password":"\#(password)"}"#)
        return try await execute(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"], body: body) { r in
            #expect(r.status == .created)
            let session = try APICoding.makeDecoder().decode(SessionResponse.self, from: Data(buffer: r.body))
            return session.token
        }
    }

    /// Creates a document through the API and returns its id.
    func createDocument(token: String, metadata: String, main: [UInt8] = Array("nội dung văn bản".utf8),
                        attachments: [[UInt8]] = []) async throws -> UUID {
        let body = MultipartBody(parts: [.json("metadata", metadata), .file("main", "văn bản.pdf", main)]
                                 + attachments.enumerated().map { .file("attachment", "phụ lục \($0.offset).pdf", $0.element) })
        return try await execute(uri: "/api/v1/documents", method: .post, headers: body.headers(token: token), body: body.buffer) { r in
            #expect(r.status == .created, "\(String(buffer: r.body))")
            return try APICoding.makeDecoder().decode(DocumentResponse.self, from: Data(buffer: r.body)).id
        }
    }

    func get(_ uri: String, token: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"])
    }
}

/// A multipart/form-data body built in memory for tests.
struct MultipartBody {
    enum Part {
        case json(String, String)
        case file(String, String, [UInt8])
        /// A metadata part with arbitrary bytes (for invalid UTF-8).
        case jsonBytes(String, [UInt8])
        /// Literal text; `BOUNDARY` stands for the body's boundary.
        case raw(String)
    }

    let boundary = "test-boundary-\(UUID().uuidString)"
    var parts: [Part]
    var terminate = true

    var bytes: [UInt8] {
        var out: [UInt8] = []
        for p in parts {
            switch p {
            case .json(let name, let json):
                out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\nContent-Type: application/json\r\n\r\n".utf8)
                out += Array(json.utf8) + [13, 10]
            case .file(let name, let file, let content):
                let encoded = file.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename*=UTF-8''\(encoded)\r\nContent-Type: application/pdf\r\n\r\n".utf8)
                out += content + [13, 10]
            case .jsonBytes(let name, let bytes):
                out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\nContent-Type: application/json\r\n\r\n".utf8)
                out += bytes + [13, 10]
            case .raw(let text):
                out += Array(text.replacingOccurrences(of: "BOUNDARY", with: boundary).utf8)
            }
        }
        if terminate { out += Array("--\(boundary)--\r\n".utf8) }
        return out
    }

    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    func headers(token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)", .contentType: "multipart/form-data; boundary=\(boundary)"]
    }
}

extension TestResponse {
    var problem: Problem? { try? JSONDecoder().decode(Problem.self, from: Data(buffer: body)) }
}
