import Foundation
import Hummingbird
import NIOCore
import VanThuAPI
import VanThuCore
import VanThuStore

/// An error answered as RFC 9457 problem+json with a stable `code`.
public struct ProblemError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let detail: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, _ detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(status.code) \(code): \(detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let problem = Problem(title: status.reasonPhrase, status: status.code, detail: detail, code: code)
        let data = try APICoding.makeEncoder().encode(problem)
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func badRequest(_ code: String, _ detail: String) -> ProblemError { ProblemError(.badRequest, code: code, detail) }
    static func notFound(_ what: String = "no such resource") -> ProblemError { ProblemError(.notFound, code: "not-found", what) }
}

extension ProblemError {
    /// Translates any error into the problem the client sees. Unknown errors become a 500 whose
    /// detail says nothing about internals; the log has the rest.
    static func from(_ error: any Error) -> ProblemError {
        switch error {
        case let p as ProblemError:
            return p
        case let e as StoreError:
            switch e.kind {
            case .notFound: return ProblemError(.notFound, code: "not-found", e.message)
            case .conflict: return ProblemError(.conflict, code: "conflict", e.message)
            case .invalid: return ProblemError(.unprocessableContent, code: "invalid-request", e.message)
            case .tooLarge: return ProblemError(.contentTooLarge, code: "file-too-large", e.message)
            case .schemaTooNew, .schemaModified, .embeddedPostgres, .unavailable:
                return ProblemError(.serviceUnavailable, code: "database-unavailable", "the database is not available")
            }
        case let e as TextRejection:
            return ProblemError(.unprocessableContent, code: "invalid-field", e.description)
        case let e as UnknownFieldError:
            return ProblemError(.badRequest, code: "unknown-field", e.description)
        case let e as CivilDate.Invalid:
            return ProblemError(.unprocessableContent, code: "invalid-date", e.description)
        case let e as DecodingError:
            // A value of the right JSON type that is not acceptable (a date that does not exist, an
            // unknown urgency) is unprocessable; anything else is a malformed request.
            if case .dataCorrupted(let ctx) = e, !ctx.codingPath.isEmpty {
                return ProblemError(.unprocessableContent, code: "invalid-field", Self.describe(e))
            }
            return ProblemError(.badRequest, code: "malformed-json", Self.describe(e))
        case is NIOTooManyBytesError:
            return ProblemError(.contentTooLarge, code: "body-too-large", "the request body is too large")
        case let e as MultipartError:
            return ProblemError(.badRequest, code: e.code, e.description)
        case let e as HTTPError:
            switch e.status {
            case .notFound: return ProblemError(.notFound, code: "not-found", "no such resource")
            case .methodNotAllowed: return ProblemError(.methodNotAllowed, code: "method-not-allowed", "this resource does not accept that method")
            case .contentTooLarge: return ProblemError(.contentTooLarge, code: "body-too-large", "the request body is too large")
            default: return ProblemError(e.status, code: "http-\(e.status.code)", e.body ?? e.status.reasonPhrase)
            }
        default:
            return ProblemError(.internalServerError, code: "internal-error", "the server failed to handle the request")
        }
    }

    private static func describe(_ e: DecodingError) -> String {
        func path(_ ctx: DecodingError.Context) -> String {
            let p = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            return p.isEmpty ? "" : " at '\(p)'"
        }
        switch e {
        case .typeMismatch(_, let ctx): return "wrong type\(path(ctx))"
        case .valueNotFound(_, let ctx): return "missing value\(path(ctx))"
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .dataCorrupted(let ctx):
            if let underlying = ctx.underlyingError as? UnknownFieldError { return underlying.description }
            return ctx.codingPath.isEmpty ? "the body is not valid JSON" : "\(ctx.debugDescription)\(path(ctx))"
        @unknown default: return "the body could not be decoded"
        }
    }
}
