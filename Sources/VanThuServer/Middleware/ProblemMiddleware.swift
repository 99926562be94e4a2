import Hummingbird
import Logging

/// Turns every error, ours or Hummingbird's, into problem+json, and logs the unexpected ones.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = ProblemError.from(error)
            if problem.status == .internalServerError {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return try problem.response(from: request, context: context)
        }
    }
}
