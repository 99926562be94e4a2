import ArgumentParser
import Foundation
import VanThuCore
import VanThuServer
import VanThuStore

struct Org: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage organisations.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an organisation to the tree.")

        @OptionGroup var common: CommonOptions
        @Option(help: "Agency code, QCVN 102:2016 form, e.g. 000.01.31.H56.") var code: String
        @Option(help: "Vietnamese name, e.g. \"Phòng Giáo dục và Đào tạo thành phố Thanh Hóa\".") var name: String
        @Option(help: "Abbreviation used in document symbols, e.g. SGDĐT.") var abbr: String
        @Option(help: "department, district-office, school or unit.") var kind: String
        @Option(help: "Agency code of the parent organisation.") var parent: String?

        func run() async throws {
            try await runReporting {
                let configuration = try common.configuration()
                let logger = makeLogger(configuration)
                let code = try parseCode(self.code)
                let parent = try self.parent.map(parseCode)
                guard let kind = OrganisationKind(rawValue: kind) else {
                    throw Failure("--kind must be one of department, district-office, school, unit", status: 3)
                }
                let org = try await withDatabase(configuration, logger: logger) { client in
                    try await OrganisationRepository(client: client, logger: logger)
                        .add(code: code, name: name, abbreviation: abbr, kind: kind, parentCode: parent)
                }
                print("added \(org.kind.rawValue) \(org.code) \(org.name) (\(org.abbreviation))")
            }
        }
    }
}

func parseCode(_ text: String) throws -> AgencyCode {
    do { return try AgencyCode(text) } catch { throw Failure(error.description, status: 3) }
}

