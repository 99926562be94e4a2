import Foundation
import Testing

/// The two binaries as an administrator, a specialist and a clerk use them, against the embedded
/// PostgreSQL the server runs itself.
@Suite(.serialized) struct ServiceEndToEndTests {
    @Test func administerSubmitListDownloadStopAndRestart() async throws {
        let box = try Sandbox()
        defer { box.remove() }

        // Seeding twice creates the province once.
        let seeded = try box.server(["seed", "--demo"])
        #expect(seeded.status == 0, "\(seeded.stderr)")
        #expect(seeded.stdout.contains("270 organisations"))
        let again = try box.server(["seed", "--demo"])
        #expect(again.stdout.contains("0 organisations and 0 accounts added"))

        // Admin commands with the server stopped: they start the cluster briefly.
        let org = try box.server(["org", "add", "--code", "000.80.31.H56", "--name", "Trung tâm Thử nghiệm", "--abbr", "TTTN",
                                  "--kind", "unit", "--parent", "000.00.31.H56"])
        #expect(org.status == 0, "\(org.stderr)")
        let duplicate = try box.server(["org", "add", "--code", "000.80.31.H56", "--name", "X", "--abbr", "X", "--kind", "unit", "--parent", "000.00.31.H56"])
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("already exists"))
        let badCode = try box.server(["org", "add", "--code", "80.31.H56", "--name", "X", "--abbr", "X", "--kind", "unit"])
        #expect(badCode.status == 3)
        #expect(badCode.stderr.contains("is not an agency code"))
        let user = try box.server(["user", "add", "--org", "000.80.31.H56", "--username", "tester.e2e", "--full-name", "Lương Văn Thử",
                                   "--role", "specialist"], input: "một mật khẩu dài\n")
        #expect(user.status == 0, "\(user.stderr)")
        let badRole = try box.server(["user", "add", "--org", "000.80.31.H56", "--username", "x.y", "--full-name", "X", "--role", "boss"], input: "password123\n")
        #expect(badRole.status == 3)
        // A signing certificate for the new account: a person's certificate is registered once,
        // a CA certificate or garbage is refused.
        let openssl = "/usr/bin/openssl"
        let cnf = box.path("cert.cnf")
        try "[req]\ndistinguished_name=dn\nprompt=no\nutf8=yes\nstring_mask=utf8only\n[dn]\nC=VN\nO=Trung tâm Thử nghiệm\nCN=Lương Văn Thử\n[ext]\nkeyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=CA:FALSE\n[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
            .write(toFile: cnf, atomically: true, encoding: .utf8)
        for (name, ext) in [("person", "ext"), ("ca", "ca")] {
            let made = try box.run(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", box.path("\(name).key"),
                                             "-out", box.path("\(name).pem"), "-days", "30", "-config", cnf, "-extensions", ext])
            #expect(made.status == 0, "\(made.stderr)")
        }
        let cert = try box.server(["user", "add-cert", "--username", "tester.e2e", "--cert", box.path("person.pem")])
        #expect(cert.status == 0, "\(cert.stderr)")
        #expect(cert.stdout.contains("Lương Văn Thử"))
        #expect(try box.server(["user", "add-cert", "--username", "tester.e2e", "--cert", box.path("person.pem")]).status == 1)
        #expect(try box.server(["user", "add-cert", "--username", "tester.e2e", "--cert", box.path("ca.pem")]).status == 3)
        #expect(try box.server(["user", "add-cert", "--username", "tester.e2e", "--cert", box.path("cert.cnf")]).status == 3)
        #expect(try box.server(["user", "add-cert", "--username", "nobody.here", "--cert", box.path("person.pem")]).status == 1)

        // The cluster the command started is stopped again.
        #expect(!FileManager.default.fileExists(atPath: box.path("data/postgres/postmaster.pid")))

        let server = try RunningServer(box)
        // While it serves, an admin command joins its cluster and leaves it running.
        let joined = try box.server(["user", "add", "--org", "000.80.31.H56", "--username", "second.e2e", "--full-name", "Mai Thị Hai",
                                     "--role", "clerk"], input: "một mật khẩu khác\n")
        #expect(joined.status == 0, "\(joined.stderr)")

        let login = try box.client(["login", "--server", server.url, "--username", "tester.e2e", "--password-stdin"], input: "một mật khẩu dài\n")
        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.stdout.contains("Lương Văn Thử"))
        let perms = try FileManager.default.attributesOfItem(atPath: box.path("config/vanthu/session.json"))[.posixPermissions] as? Int
        #expect(perms == 0o600)

        let wrong = try box.client(["login", "--server", server.url, "--username", "tester.e2e", "--password-stdin"], input: "sai\n")
        #expect(wrong.status == 1)

        let content = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try content.write(to: URL(fileURLWithPath: box.path("Kế hoạch.pdf")))
        try Data("phụ lục".utf8).write(to: URL(fileURLWithPath: box.path("phu-luc.txt")))
        let submit = try box.client(["submit", box.path("Kế hoạch.pdf"), box.path("phu-luc.txt"), "--type", "KH",
                                     "--subject", "Kế hoạch kiểm tra học kỳ I", "--urgency", "khẩn", "--due", "2026-12-20"])
        #expect(submit.status == 0, "\(submit.stderr)")
        let id = submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(UUID(uuidString: id) != nil)

        let list = try box.client(["list", "--json"])
        #expect(list.status == 0)
        #expect(list.stdout.contains(id.uppercased()) || list.stdout.contains(id))
        let table = try box.client(["list"])
        #expect(table.stdout.contains("Kế hoạch kiểm tra học kỳ I"))
        let show = try box.client(["show", id])
        #expect(show.stdout.contains("Khẩn"))
        #expect(show.stdout.contains("phu-luc.txt"))

        let download = try box.client(["download", id, "-o", box.path("copy.pdf")])
        #expect(download.status == 0, "\(download.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: box.path("copy.pdf"))) == content)

        // Bad input: clear sentence, documented status, nothing created.
        let badType = try box.client(["submit", box.path("phu-luc.txt"), "--type", "XYZ", "--subject", "x"])
        #expect(badType.status == 3)
        #expect(badType.stderr.contains("is not a document type"))
        let missing = try box.client(["submit", box.path("nope.pdf"), "--type", "BC", "--subject", "x"])
        #expect(missing.status == 3)
        let unknown = try box.client(["show", UUID().uuidString])
        #expect(unknown.status == 1)
        let notUUID = try box.client(["download", "abc"])
        #expect(notUUID.status == 3)
        #expect(try box.client(["list", "--json"]).stdout.components(separatedBy: "\"subject\"").count == 2)

        // Another organisation's clerk cannot see it.
        let other = try box.client(["login", "--server", server.url, "--username", "thu.nt", "--password-stdin"], input: Sandbox.password + "\n")
        #expect(other.status == 0, "\(other.stderr)")
        #expect(try box.client(["show", id]).status == 1)
        #expect(try box.client(["logout"]).status == 0)
        #expect(try box.client(["list"]).status == 5)

        // SIGTERM stops the server and its PostgreSQL.
        #expect(server.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: box.path("data/postgres/postmaster.pid")))

        // The next start reuses the cluster: the document is still there.
        let restarted = try RunningServer(box)
        defer { _ = restarted.stop() }
        #expect(try box.client(["login", "--server", restarted.url, "--username", "tester.e2e", "--password-stdin"], input: "một mật khẩu dài\n").status == 0)
        #expect(try box.client(["show", id]).status == 0)
    }
}
