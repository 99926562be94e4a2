import Hummingbird
import NIOConcurrencyHelpers

/// RFC 9110 §15.5.6: a known path asked with a method it does not take answers 405 with an
/// `Allow` header, not 404. Hummingbird's router answers 404 for both, so this middleware, inside
/// `ProblemMiddleware`, looks the path up in the router's own route table when the router found
/// nothing. The table is filled once the routes are added (`install(_:)`), before serving.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    final class Table: Sendable {
        private let routes = NIOLockedValueBox<[(segments: [Substring], method: HTTPRequest.Method)]>([])

        func install(_ descriptions: [Router<Context>.RouteDescription]) {
            routes.withLockedValue { table in
                table = descriptions.map { (segments: Self.segments(of: $0.path.description), method: $0.method) }
            }
        }

        /// The methods the path takes, in a stable order, or none when no route has its shape.
        func methods(for path: String) -> [HTTPRequest.Method] {
            let requested = Self.segments(of: path)
            var methods = Set(routes.withLockedValue { table in
                table.filter { Self.matches($0.segments, requested) }.map(\.method)
            })
            // Hummingbird answers HEAD for every GET route itself.
            if methods.contains(.get) { methods.insert(.head) }
            return methods.sorted { $0.rawValue < $1.rawValue }
        }

        static func segments(of path: String) -> [Substring] { path.split(separator: "/", omittingEmptySubsequences: true) }

        /// `:name` and `{name}` match any one segment.
        static func matches(_ pattern: [Substring], _ path: [Substring]) -> Bool {
            pattern.count == path.count && zip(pattern, path).allSatisfy { p, s in p.hasPrefix(":") || p.hasPrefix("{") || p == s }
        }
    }

    let table: Table

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // Only the router's own miss is an HTTPError 404; handlers answer ProblemError.
            let allowed = table.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw error }
            var problem = ProblemError(.methodNotAllowed, code: "method-not-allowed",
                                       "\(request.uri.path) takes \(allowed.map(\.rawValue).joined(separator: ", ")), not \(request.method.rawValue)")
            problem.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            throw problem
        }
    }
}
