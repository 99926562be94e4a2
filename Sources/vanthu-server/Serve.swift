import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import VanThuServer
import VanThuStore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the API (the default).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on (VANTHU_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (VANTHU_PORT, default 8080).")
    var port: Int?

    func run() async throws {
        try await runReporting {
            var configuration = try common.configuration()
            if let host { configuration.host = host }
            if let port {
                guard (0...65535).contains(port) else { throw Failure("--port must be 0 (any free port) to 65535", status: 3) }
                configuration.port = port
            }
            let logger = makeLogger(configuration)
            let location = try configuration.databaseLocation
            if case .embedded(let pg) = location {
                try pg.start(logger: logger)
            }
            // The server owns the embedded cluster: whatever ends the service, stop it cleanly.
            defer { if case .embedded(let pg) = location { pg.stop(logger: logger) } }
            var clientConfiguration = try location.clientConfiguration()
            clientConfiguration.options.maximumConnections = configuration.databasePoolSize
            let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
            let app = buildApplication(configuration: configuration, client: client, logger: logger)
            try await app.runService()
        }
    }
}
