import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// `/healthz`: the process answers. `/readyz`: the database answers too.
struct HealthRoutes {
    let client: PostgresClient
    let logger: Logger

    func add(to router: Router<VanThuRequestContext>) {
        router.get("healthz") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        router.get("readyz") { _, _ in
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await client.query("SELECT 1", logger: logger) }
                    group.addTask {
                        try await Task.sleep(for: .seconds(2))
                        throw ProblemError(.serviceUnavailable, code: "database-unavailable", "the database did not answer in time")
                    }
                    try await group.next()
                    group.cancelAll()
                }
                return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            } catch {
                throw ProblemError(.serviceUnavailable, code: "database-unavailable", "the database does not answer")
            }
        }
    }
}
