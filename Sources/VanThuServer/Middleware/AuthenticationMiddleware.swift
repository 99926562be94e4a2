import Foundation
import Hummingbird
import VanThuSigning
import VanThuStore

/// Resolves `Authorization: Bearer <token>` to the person behind a live session.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = VanThuRequestContext
    let sessions: SessionRepository

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw ProblemError(.unauthorized, code: "unauthenticated", "this request needs a bearer token; log in first")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard token.utf8.count <= 128, let actor = try await sessions.actor(tokenHash: SessionToken.hash(token)) else {
            throw ProblemError(.unauthorized, code: "invalid-token", "the session has expired or was logged out; log in again")
        }
        var context = context
        context.actor = actor
        context.logger[metadataKey: "user"] = "\(actor.username)"
        return try await next(request, context)
    }
}

/// Bearer tokens: 256 random bits, handed out once, kept only as their SHA-256.
enum SessionToken {
    static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        return "vt_" + Base64URL.encode(bytes)
    }

    static func hash(_ token: String) -> [UInt8] {
        StreamingDigest.hash(Array(token.utf8))
    }
}

enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
