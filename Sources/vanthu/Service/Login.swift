import ArgumentParser
import Foundation
import VanThuAPI
import VanThuSigning

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log in and keep the session for the next commands.",
        discussion: "The password is asked for without echo, or read from standard input with --password-stdin; never from the command line.")

    @Option(help: "The VanThu server, e.g. http://127.0.0.1:8080.") var server: String
    @Option(help: "Your username.") var username: String
    @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordStdin = false

    func run() async throws {
        try await reportingFailures {
            guard let url = URL(string: server), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ClientFailure("--server must be an http or https URL such as http://127.0.0.1:8080", .unusable)
            }
            let password = try readPassword()
            let client = APIClient(server: server, token: nil)
            var request = client.request(.POST, "/api/v1/sessions")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(try JSONEncoder.api.encode(LoginRequest(username: username, password: password)))
            let session: SessionResponse
            do {
                session = try await client.json(SessionResponse.self, request)
            } catch let failure as ClientFailure where failure.status == .notLoggedIn {
                // For login itself a 401 is a refusal of these credentials, not a missing session.
                throw ClientFailure("the username or password is wrong", .refused)
            }
            try StoredSession(server: client.server, username: session.user.username, token: session.token, expiresAt: session.expiresAt).save()
            print("logged in as \(session.user.fullName) (\(session.user.role.rawValue), \(session.user.organisation.name)) until \(ISO8601.vietnam(session.expiresAt))")
        }
    }

    /// Standard input when asked for (or when it is not a terminal), else a no-echo prompt.
    private func readPassword() throws -> String {
        let source: PassphraseSource = passwordStdin || isatty(STDIN_FILENO) != 1
            ? .standardInput : .terminalPrompt("Password for \(username): ")
        let password: String
        do { password = try source.read() } catch { throw ClientFailure("\(error)", .unusable) }
        guard !password.isEmpty else { throw ClientFailure("no password given", .unusable) }
        return password
    }
}

struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "End the session on the server and forget it here.")

    func run() async throws {
        try await reportingFailures {
            guard let session = try? StoredSession.load() else {
                StoredSession.remove()
                print("not logged in")
                return
            }
            let client = APIClient(session: session)
            let response = try await client.execute(client.request(.DELETE, "/api/v1/sessions/current"))
            StoredSession.remove()
            guard response.status.code == 204 || response.status.code == 401 else {
                throw client.failure(response.status.code, try await client.collect(response, limit: 1 << 16))
            }
            print("logged out")
        }
    }
}

struct Whoami: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show who the saved session belongs to.")
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reportingFailures {
            let client = APIClient(session: try StoredSession.load())
            let me = try await client.json(UserResponse.self, client.request(.GET, "/api/v1/me"))
            if json { return printJSON(me) }
            print("\(me.fullName) (\(me.username))")
            print("  role:         \(me.role.rawValue) (\(me.role.vietnameseName))")
            if let title = me.title { print("  title:        \(title)") }
            print("  organisation: \(me.organisation.name) [\(me.organisation.code)]")
            if let division = me.division { print("  division:     \(division)") }
            print("  server:       \(client.server)")
        }
    }
}

func printJSON(_ value: some Encodable) {
    let encoder = APICoding.makeEncoder()
    encoder.outputFormatting.insert(.prettyPrinted)
    if let data = try? encoder.encode(value) { print(String(decoding: data, as: UTF8.self)) }
}
