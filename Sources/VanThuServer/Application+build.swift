import Foundation
import Hummingbird
import Logging
import PostgresNIO
import VanThuStore

/// Builds the HTTP application on a database client. `vanthu-server` and the tests share it.
public func buildRouter(configuration: ServerConfiguration, client: PostgresClient, logger: Logger) -> Router<VanThuRequestContext> {
    let users = UserRepository(client: client, logger: logger)
    let sessionCache = configuration.sessionCacheLifetime > .zero ? SessionCache(lifetime: configuration.sessionCacheLifetime) : nil
    let sessions = SessionRepository(client: client, logger: logger, cache: sessionCache)
    let documents = DocumentRepository(client: client, logger: logger)

    let router = Router(context: VanThuRequestContext.self)
    let methods = MethodNotAllowedMiddleware<VanThuRequestContext>.Table()
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware(table: methods))
    router.add(middleware: LogRequestsMiddleware(.info))
    HealthRoutes(client: client, logger: logger).add(to: router)

    let api = router.group("api/v1")
    // Read once: the description ships inside the binary's resource bundle.
    let openAPI = Bundle.module.url(forResource: "openapi", withExtension: "yaml").flatMap { try? Data(contentsOf: $0) }
    api.get("openapi.yaml") { _, _ in
        guard let openAPI, !openAPI.isEmpty else { throw ProblemError.notFound("this build carries no OpenAPI description") }
        return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: openAPI)))
    }
    let sessionRoutes = SessionRoutes(users: users, sessions: sessions, configuration: configuration)
    sessionRoutes.addPublic(to: api)

    let authenticated = api.group().add(middleware: AuthenticationMiddleware(sessions: sessions))
    sessionRoutes.addAuthenticated(to: authenticated)
    DocumentRoutes(documents: documents, configuration: configuration).add(to: authenticated)
    methods.install(router.routes)
    return router
}

/// The whole service: HTTP server plus the database client, with migrations applied before it listens.
public func buildApplication(configuration: ServerConfiguration, client: PostgresClient, logger: Logger) -> some ApplicationProtocol {
    let router = buildRouter(configuration: configuration, client: client, logger: logger)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "vanthu"),
        services: [client],
        logger: logger)
    app.beforeServerStarts {
        // PostgresClient waits for a connection forever; a server that cannot reach its database
        // should say so and exit, not hang.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Migrator.bundled().migrate(client, logger: logger) }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                throw StoreError(.unavailable, "the database did not answer within 60 seconds")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
    return app
}
