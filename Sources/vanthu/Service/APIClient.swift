import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import VanThuAPI

/// The VanThu API as the command-line client speaks it.
struct APIClient {
    let server: String
    let token: String?

    init(server: String, token: String?) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.token = token
    }

    init(session: StoredSession) {
        self.init(server: session.server, token: session.token)
    }

    static var http: HTTPClient { HTTPClient.shared }

    func request(_ method: HTTPMethod, _ path: String) -> HTTPClientRequest {
        var r = HTTPClientRequest(url: server + path)
        r.method = method
        if let token { r.headers.add(name: "Authorization", value: "Bearer \(token)") }
        r.headers.add(name: "User-Agent", value: "vanthu-cli")
        return r
    }

    /// Sends a request and decodes a JSON answer, turning problem+json into a `ClientFailure`.
    func json<T: Decodable>(_ type: T.Type, _ request: HTTPClientRequest, expecting: Set<UInt> = [200, 201]) async throws -> T {
        let response = try await execute(request)
        let body = try await collect(response, limit: 32 << 20)
        guard expecting.contains(response.status.code) else { throw failure(response.status.code, body) }
        do {
            return try APICoding.makeDecoder().decode(T.self, from: body)
        } catch {
            throw ClientFailure("the server answered something this client does not understand", .unreachable)
        }
    }

    func execute(_ request: HTTPClientRequest, timeout: TimeAmount = .minutes(60)) async throws -> HTTPClientResponse {
        do {
            return try await Self.http.execute(request, timeout: timeout)
        } catch {
            throw ClientFailure("cannot reach \(server): \(Self.describe(error))", .unreachable)
        }
    }

    func collect(_ response: HTTPClientResponse, limit: Int) async throws -> Data {
        do {
            return Data(buffer: try await response.body.collect(upTo: limit))
        } catch {
            throw ClientFailure("the answer from \(server) was cut off or too large", .unreachable)
        }
    }

    /// The failure that a non-success answer means to the person at the terminal.
    func failure(_ status: UInt, _ body: Data) -> ClientFailure {
        let problem = try? JSONDecoder().decode(Problem.self, from: body)
        let detail = problem?.detail ?? "the server answered HTTP \(status)"
        switch status {
        case 401: return ClientFailure("\(detail) (run 'vanthu login')", .notLoggedIn)
        case 400..<500: return ClientFailure(detail, .refused)
        default: return ClientFailure("the server failed: \(detail)", .unreachable)
        }
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectTimeout") || text.contains("connectionRefused") || text.contains("Connection refused") {
            return "connection refused"
        }
        return text.count > 160 ? String(text.prefix(160)) + "…" : text
    }
}

extension JSONEncoder {
    static let api = APICoding.makeEncoder()
}
