import Foundation
import Hummingbird
import HummingbirdBcrypt
import Logging
import NIOPosix
import VanThuAPI
import VanThuCore
import VanThuStore

/// Log in, log out, who am I.
struct SessionRoutes {
    let users: UserRepository
    let sessions: SessionRepository
    let configuration: ServerConfiguration
    /// Compared against when the username is unknown, so that the answer takes as long either way.
    let decoyHash: String

    init(users: UserRepository, sessions: SessionRepository, configuration: ServerConfiguration) {
        self.users = users
        self.sessions = sessions
        self.configuration = configuration
        self.decoyHash = Bcrypt.hash("decoy-\(UUID())", cost: configuration.bcryptCost)
    }

    func addPublic(to group: RouterGroup<VanThuRequestContext>) {
        group.post("sessions", use: login)
    }

    func addAuthenticated(to group: RouterGroup<VanThuRequestContext>) {
        group.delete("sessions/current", use: logout)
        group.get("me", use: me)
    }

    @Sendable func login(_ request: Request, context: VanThuRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(LoginRequest.self, from: request, context: context)
        // No username has control characters (PostgreSQL would refuse a NUL outright) and bcrypt
        // reads at most 72 bytes and stops at a NUL: such input cannot be anyone's credentials.
        let username = (try? CleanText.line(body.username, field: "username", maxLength: 64))?.lowercased() ?? ""
        guard !username.isEmpty, username.utf8.count <= 64, !body.password.isEmpty, body.password.utf8.count <= 72,
              !body.password.utf8.contains(0) else {
            throw ProblemError(.unauthorized, code: "invalid-credentials", "the username or password is wrong")
        }
        let record = try await users.loginRecord(username: username)
        if let locked = record?.lockedUntil, locked > Date() {
            var p = ProblemError(.tooManyRequests, code: "account-locked",
                                 "too many failed logins; the account is locked until \(ISO8601.vietnam(locked))")
            p.headers[.retryAfter] = String(Int(locked.timeIntervalSinceNow.rounded(.up)))
            throw p
        }
        let hash = record?.passwordHash ?? decoyHash
        let password = body.password
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        guard let record, matches else {
            if let record {
                let failures = record.failedLogins + 1
                try await users.recordFailedLogin(userID: record.userID, lockAfter: configuration.loginThrottle.lockAfter,
                                                  lockFor: configuration.loginThrottle.lockDuration)
                try await Task.sleep(for: configuration.loginThrottle.delay(afterFailures: failures))
            }
            throw ProblemError(.unauthorized, code: "invalid-credentials", "the username or password is wrong")
        }
        let token = SessionToken.generate()
        let expires = Date().addingTimeInterval(TimeInterval(configuration.sessionLifetime.components.seconds))
        try await sessions.open(userID: record.userID, tokenHash: SessionToken.hash(token), expiresAt: expires)
        guard let user = try await users.profile(userID: record.userID) else { throw ProblemError.notFound() }
        return try JSONBody.response(SessionResponse(token: token, expiresAt: expires, user: user), status: .created)
    }

    @Sendable func logout(_ request: Request, context: VanThuRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let header = request.headers[.authorization] ?? ""
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        try await sessions.revoke(tokenHash: SessionToken.hash(token), actor: actor.userID)
        return Response(status: .noContent)
    }

    @Sendable func me(_ request: Request, context: VanThuRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        guard let user = try await users.profile(userID: actor.userID) else { throw ProblemError.notFound() }
        return try JSONBody.response(user)
    }
}

/// Strict JSON in and out: a body must be valid UTF-8 JSON of the expected shape.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: VanThuRequestContext, limit: Int = 64 * 1024) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw ProblemError(.unsupportedMediaType, code: "unsupported-media-type", "send the body as application/json")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        return try decode(type, from: buffer)
    }

    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        let bytes = Array(buffer.readableBytesView)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ProblemError.badRequest("invalid-utf8", "the body is not valid UTF-8")
        }
        do {
            return try APIJSON.decoder.decode(T.self, from: Data(bytes))
        } catch let e as UnknownFieldError {
            throw e
        } catch let e as DecodingError {
            throw e
        } catch {
            throw ProblemError.badRequest("malformed-json", "the body is not valid JSON")
        }
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try APIJSON.encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
