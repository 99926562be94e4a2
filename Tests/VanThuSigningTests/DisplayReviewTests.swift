import Foundation
import Testing
@testable import VanThuSigning

/// What the report and `cert show` print for odd names, odd dates and odd input (review r1 of
/// the human-facing output): every name visible, dates proleptic Gregorian with four-digit
/// years, unusable input named in one sentence.
@Suite struct DisplayReviewTests {
    let pki = TestPKI.shared

    // MARK: - F1: --at outside what RFC 3339 and OpenSSL can hold

    @Test func atOutsideYearsOneToNineThousandNineHundredNinetyNineIsRefused() throws {
        let fixtures = try KeysFixtures("at-range")
        let file = try fixtures.document()
        let signed = try runVanThu(pki.clientSignArguments(file.path, out: file.path + ".p7s"), environment: TestPKI.clientEnvironment)
        #expect(signed.status == 0, "\(signed.stderr)")
        for at in ["9999-12-31T23:00:00-23:59", "9999-12-31T23:59:59-00:01", "0001-01-01T00:00:00+07:00", "0001-01-01"] {
            let result = try runVanThu(["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory, "--at", at, "--json"])
            #expect(result.status == 3, "\(at)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr == "vanthu: The time \(at) is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z once converted to UTC.\n")
        }
        // The very edges are times like any other: the certificate is not valid then.
        for at in ["9999-12-31T23:59:59Z", "0001-01-01T07:00:00+07:00", "0001-01-02"] {
            let result = try runVanThu(["verify", file.path, "--signature", file.path + ".p7s", "--trust", pki.trustDirectory, "--at", at, "--json"])
            #expect(result.status == 2, "\(at): \(result.stderr)")
            #expect(try ValidationReport.decode(json: result.stdout).subIndication == .outOfBoundsNoPOE)
        }
    }
}
