import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
import VanThuAPI
import VanThuSigning
@testable import VanThuServer

@Suite struct SessionTests {
    @Test func loginReturnsAnOpaqueTokenStoredOnlyAsItsHash() async throws {
        try await withApp { http, db in
            let token = try await http.login("a1.clerk")
            #expect(token.hasPrefix("vt_"))
            // 32 random bytes in base64url: 43 characters after the prefix.
            #expect(token.count == 3 + 43)
            var hashes: [[UInt8]] = []
            for try await h in try await db.query("SELECT token_hash FROM sessions", logger: TestCluster.logger).decode(ByteBuffer.self) {
                hashes.append(Array(h.readableBytesView))
            }
            #expect(hashes == [StreamingDigest.hash(Array(token.utf8))])
            try await http.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { r in
                #expect(r.status == .ok)
                let me = try APICoding.makeDecoder().decode(UserResponse.self, from: Data(buffer: r.body))
                #expect(me.username == "a1.clerk")
                #expect(me.organisation.name == "Trường THCS Trần Mai Ninh")
            }
            #expect(try await db.count("audit_events WHERE action = 'session.login'") == 1)
        }
    }

    @Test func wrongPasswordAndUnknownUserGetTheSameAnswer() async throws {
        try await withApp { http, db in
            for (user, pass) in [("a1.clerk", "sai mật khẩu"), ("nobody", "whatever1")] {
                let body = ByteBuffer(string: #"{"username":"\#(user)","password":"\#(pass)"}"#)
                try await http.execute(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"], body: body) { r in
                    #expect(r.status == .unauthorized)
                    #expect(r.headers[.contentType] == "application/problem+json")
                    #expect(r.problem?.code == "invalid-credentials")
                }
            }
            #expect(try await db.count("sessions") == 0)
        }
    }

    @Test func repeatedFailuresLockTheAccount() async throws {
        try await withApp { http, db in
            let bad = ByteBuffer(string: #"{"username":"a1.clerk","password":"wrong-password"}"#)
            for _ in 0..<4 {
                try await http.execute(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"], body: bad) { r in
                    #expect(r.status == .unauthorized)
                }
            }
            // Now even the right password is refused until the lock expires.
            let good = ByteBuffer(string: #"{"username":"a1.clerk","password":"\#(TestProvince.password)"}"#)
            try await http.execute(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"], body: good) { r in
                #expect(r.status == .tooManyRequests)
                #expect(r.problem?.code == "account-locked")
                #expect(r.headers[.retryAfter] != nil)
            }
            #expect(try await db.count("sessions") == 0)
            // Another account is not affected.
            _ = try await http.login("a2.clerk")
        }
    }

    @Test func logoutRevokesTheToken() async throws {
        try await withApp { http, _ in
            let token = try await http.login("b1.clerk")
            try await http.execute(uri: "/api/v1/sessions/current", method: .delete, headers: [.authorization: "Bearer \(token)"]) { r in
                #expect(r.status == .noContent)
            }
            try await http.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { r in
                #expect(r.status == .unauthorized)
                #expect(r.problem?.code == "invalid-token")
            }
        }
    }

    /// Two servers on one database, each with its session cache: a logout takes effect at once on
    /// the server that handled it, and on the other one within the cache's lifetime.
    @Test func logoutThroughAnotherInstanceTakesEffectWithinTheCacheLifetime() async throws {
        let configuration = {
            var c = ServerConfiguration.forTests
            c.sessionCacheLifetime = .seconds(1)
            return c
        }()
        try await withTestDatabase { client in
            try await TestProvince.seed(client)
            let one = Application(router: buildRouter(configuration: configuration, client: client, logger: TestCluster.logger), logger: TestCluster.logger)
            let other = Application(router: buildRouter(configuration: configuration, client: client, logger: TestCluster.logger), logger: TestCluster.logger)
            try await one.test(.router) { a in
                try await other.test(.router) { b in
                    let token = try await a.login("b1.clerk")
                    let auth: HTTPFields = [.authorization: "Bearer \(token)"]
                    // Both servers confirm the token, and remember it.
                    try await a.execute(uri: "/api/v1/me", method: .get, headers: auth) { r in #expect(r.status == .ok) }
                    try await b.execute(uri: "/api/v1/me", method: .get, headers: auth) { r in #expect(r.status == .ok) }
                    try await a.execute(uri: "/api/v1/sessions/current", method: .delete, headers: auth) { r in #expect(r.status == .noContent) }
                    try await a.execute(uri: "/api/v1/me", method: .get, headers: auth) { r in #expect(r.status == .unauthorized) }
                    // The other server learns of the logout when its cached confirmation runs out.
                    let deadline = ContinuousClock.now + .seconds(1) + .milliseconds(100)
                    try await Task.sleep(until: deadline)
                    try await b.execute(uri: "/api/v1/me", method: .get, headers: auth) { r in
                        #expect(r.status == .unauthorized)
                        #expect(r.problem?.code == "invalid-token")
                    }
                }
            }
        }
    }

    @Test func everyAPIRouteButLoginNeedsAToken() async throws {
        try await withApp { http, _ in
            for (uri, method) in [("/api/v1/me", HTTPRequest.Method.get), ("/api/v1/documents", .get), ("/api/v1/documents", .post),
                                  ("/api/v1/document-types", .get), ("/api/v1/documents/\(UUID())", .get)] {
                try await http.execute(uri: uri, method: method) { r in
                    #expect(r.status == .unauthorized, "\(method) \(uri)")
                    #expect(r.problem?.code == "unauthenticated")
                }
            }
            try await http.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer vt_forged"]) { r in
                #expect(r.status == .unauthorized)
            }
            try await http.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
            try await http.execute(uri: "/readyz", method: .get) { r in #expect(r.status == .ok) }
        }
    }

    @Test func loginBodyIsStrict() async throws {
        try await withApp { http, _ in
            let cases: [(String, String)] = [
                (#"{"username":"a1.clerk","password":"x","remember":true}"#, "unknown-field"),
                (#"{"username":"a1.clerk"}"#, "malformed-json"),
                (#"{"username":12,"password":"x"}"#, "malformed-json"),
                (#"{"username":"#, "malformed-json"),
            ]
            for (json, code) in cases {
                try await http.execute(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json)) { r in
                    #expect(r.status == .badRequest, "\(json)")
                    #expect(r.problem?.code == code, "\(json)")
                }
            }
        }
    }

    /// Found by schemathesis: a NUL in the username reached PostgreSQL, which refuses it (500).
    @Test func controlCharactersInCredentialsAreWrongCredentialsNotServerErrors() async throws {
        try await withApp { http, _ in
            for json in [#"{"username":"\u0000\u0019","password":"x"}"#, #"{"username":"a1.clerk\u0000","password":"x"}"#,
                         #"{"username":"a1.clerk","password":"x\u0000y"}"#, #"{"username":"a1\u0007.clerk","password":"x"}"#] {
                try await http.execute(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json)) { r in
                    #expect(r.status == .unauthorized, "\(json)")
                    #expect(r.problem?.code == "invalid-credentials", "\(json)")
                }
            }
        }
    }
}
