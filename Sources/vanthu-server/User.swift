import ArgumentParser
import Foundation
import HummingbirdBcrypt
import NIOPosix
import VanThuCore
import VanThuServer
import VanThuSigning
import VanThuStore

struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage accounts.", subcommands: [Add.self, AddCert.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account.",
            discussion: "The password is read from standard input (one line), or asked for without echo on a terminal; never from the command line.")

        @OptionGroup var common: CommonOptions
        @Option(help: "Agency code of the person's organisation.") var org: String
        @Option(help: "Login name: a–z, digits, '.', '_', '-'.") var username: String
        @Option(name: .customLong("full-name"), help: "Full Vietnamese name, e.g. \"Nguyễn Văn Hùng\".") var fullName: String
        @Option(help: "clerk, specialist, head, leader or admin.") var role: String
        @Option(help: "Position, e.g. \"Giám đốc\".") var title: String?
        @Option(help: "Name of the person's division (phòng, ban, tổ) in the organisation.") var division: String?

        func run() async throws {
            try await runReporting {
                let configuration = try common.configuration()
                let logger = makeLogger(configuration)
                let code = try parseCode(org)
                guard let role = Role(rawValue: role) else {
                    throw Failure("--role must be one of clerk, specialist, head, leader, admin", status: 3)
                }
                let username = try UserRepository.validUsername(username)
                let password = try PasswordInput.read(confirm: true)
                guard password.count >= 8 else { throw Failure("the password must have at least 8 characters", status: 3) }
                guard password.utf8.count <= 72 else { throw Failure("the password must fit in 72 bytes (bcrypt's limit)", status: 3) }
                let cost = configuration.bcryptCost
                let hash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
                try await withDatabase(configuration, logger: logger) { client in
                    try await UserRepository(client: client, logger: logger).add(
                        organisation: code, username: username, fullName: fullName, title: title, role: role,
                        division: division, passwordHash: hash)
                }
                print("added \(role.rawValue) \(username) to \(code)")
            }
        }
    }
}

/// Reads a password without ever taking it from argv: a no-echo prompt on a terminal (twice),
/// else the first line of standard input.
enum PasswordInput {
    static func read(confirm: Bool) throws -> String {
        do {
            guard isatty(STDIN_FILENO) == 1 else { return try PassphraseSource.standardInput.read() }
            let first = try PassphraseSource.terminalPrompt("Password: ").read()
            if confirm, try PassphraseSource.terminalPrompt("Repeat password: ").read() != first {
                throw Failure("the two passwords differ", status: 3)
            }
            return first
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("\(error)", status: 3)
        }
    }
}
