import Foundation
import Testing
@testable import VanThuSigning

/// `vanthu verify --at` and `--signature`: loose times and unreadable files are refused with one sentence and exit 3.
@Suite struct ClientVerifyInputTests {
    let pki = TestPKI.shared

    // MARK: - verify --at

    @Test func looseTimesAreRefused() throws {
        let (file, signature) = try pki.clientSignedDocument()
        for time in ["2026-03-01T08:00:00", "2026-03-01T25:00:00Z", "2026-03-01T08:00:60Z", "12026-03-01", " 2026-03-01",
                     "2026-03-01 ", "2026-02-30", "2026-13-01", "2026-00-10", "2026-03-01T08:00Z", "2026-03-01T08:00:00+7:00",
                     "2026-03-01T08:00:00+24:00", "2026-03-01T08:00:00.Z", "2026-3-1", "2026-03-01T08:00:00Zjunk"] {
            let result = try runVanThu(["verify", file, "--signature", signature, "--trust", pki.trustDirectory, "--at", time])
            #expect(result.status == 3, "\(time)")
            #expect(result.stderr == "vanthu: The time \(time) is not ISO 8601, e.g. 2026-03-01T08:00:00+07:00 or 2026-03-01.\n")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func strictTimesMeanWhatTheySay() throws {
        let (file, signature) = try pki.clientSignedDocument()
        let cases: [(String, String)] = [
            ("2031-06-01", "2031-05-31T17:00:00Z"),
            ("2031-06-01T08:00:00+07:00", "2031-06-01T01:00:00Z"),
            ("2031-06-01T08:00:00Z", "2031-06-01T08:00:00Z"),
            ("2031-06-01T08:00:00.5-02:30", "2031-06-01T10:30:00Z"),
            ("2028-02-29T00:00:00Z", "2028-02-29T00:00:00Z"),
        ]
        for (time, expected) in cases {
            let result = try runVanThu(["verify", file, "--signature", signature, "--trust", pki.trustDirectory, "--at", time, "--json"])
            #expect(result.status != 3, "\(time): \(result.stderr)")
            let report = try ValidationReport.decode(json: result.stdout)
            let formatter = ISO8601DateFormatter()
            #expect(formatter.string(from: report.validationTime) == expected, "\(time)")
        }
    }

    // MARK: - verify --signature

    @Test func directorySignatureCannotBeRead() throws {
        let (file, _) = try pki.clientSignedDocument()
        let directory = try temporaryDirectory("sigdir")
        let result = try runVanThu(["verify", file, "--signature", directory.path, "--trust", pki.trustDirectory])
        #expect(result.status == 3)
        #expect(result.stderr == "vanthu: The signature file \(directory.path) cannot be read: it is not a regular file.\n")
        #expect(result.stdout.isEmpty)
    }

    @Test func pipeSignatureIsRefusedWithoutWaiting() throws {
        let (file, _) = try pki.clientSignedDocument()
        let fifo = try temporaryDirectory("sigfifo").appendingPathComponent("sig.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // Should vanthu wait for a writer, one comes after a while, so the test fails, not hangs.
        DispatchQueue.global().asyncAfter(deadline: .now() + 20) {
            let fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        }
        let started = Date()
        let result = try runVanThu(["verify", file, "--signature", fifo, "--trust", pki.trustDirectory])
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(result.status == 3)
        #expect(result.stderr == "vanthu: The signature file \(fifo) cannot be read: it is not a regular file.\n")
    }
}
