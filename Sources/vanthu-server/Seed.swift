import ArgumentParser
import Foundation
import HummingbirdBcrypt
import NIOPosix
import VanThuCore
import VanThuServer
import VanThuStore

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the demo province (idempotent).",
        discussion: """
        Creates the department, 10 district offices, 49 units directly under the department, 210
        schools and their people. Every demo account gets one password: VANTHU_DEMO_PASSWORD if set,
        otherwise a random one generated on the first run and kept in DATA_DIR/demo-password (mode 0600).
        """)

    @OptionGroup var common: CommonOptions
    @Flag(help: "Seed the demo province.") var demo = false

    func run() async throws {
        try await runReporting {
            guard demo else { throw Failure("say what to seed: --demo", status: 3) }
            let configuration = try common.configuration()
            let logger = makeLogger(configuration)
            let password = try demoPassword(configuration)
            let cost = configuration.bcryptCost
            // One hash for every demo account: hashing 700 passwords at cost 12 would take minutes.
            let hash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
            let (orgs, people) = try await withDatabase(configuration, logger: logger) { client in
                let organisations = OrganisationRepository(client: client, logger: logger)
                let users = UserRepository(client: client, logger: logger)
                // One transaction: the province appears whole or not at all, and a first seed
                // commits once instead of some two thousand times.
                return try await client.transaction(logger: logger) { tx in
                    var addedOrgs = 0
                    var addedPeople = 0
                    for org in DemoProvince.organisations {
                        let code = try AgencyCode(org.code)
                        let existing = try await organisations.find(code: code, on: tx)
                        let id: UUID
                        if let existing { id = existing.id } else {
                            id = try await organisations.add(code: code, name: org.name, abbreviation: org.abbreviation, kind: org.kind,
                                                             parentCode: try org.parent.map { try AgencyCode($0) }, in: tx).id
                            addedOrgs += 1
                        }
                        for division in org.divisions {
                            try await organisations.ensureDivision(organisation: id, name: division.name, abbreviation: division.abbreviation, in: tx)
                        }
                    }
                    for person in DemoProvince.people where try await !users.exists(username: person.username, in: tx) {
                        try await users.add(organisation: try AgencyCode(person.org), username: person.username, fullName: person.fullName,
                                            title: person.title, role: person.role, division: person.division, passwordHash: hash, in: tx)
                        addedPeople += 1
                    }
                    return (addedOrgs, addedPeople)
                }
            }
            print("demo province ready: \(orgs) organisations and \(people) accounts added (\(DemoProvince.organisations.count) and \(DemoProvince.people.count) in all)")
        }
    }

    private func demoPassword(_ configuration: ServerConfiguration) throws -> String {
        if let p = ProcessInfo.processInfo.environment["VANTHU_DEMO_PASSWORD"], !p.isEmpty { return p }
        let file = configuration.dataDirectory.appendingPathComponent("demo-password")
        if let existing = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !existing.isEmpty {
            return existing
        }
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        let password = String((0..<16).map { _ in alphabet.randomElement(using: &rng)! })
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: file.path, contents: Data((password + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Failure("cannot write \(file.path)", status: 3)
        }
        return password
    }
}
