import Foundation
import Testing
@testable import VanThuSigning

/// A validator keeps what it concluded about a signer's certificate (chain, validity, revocation)
/// between the instants where those conclusions change. Every report it gives from what it kept
/// must be the report a fresh validator gives.
@Suite struct CertificateAssessmentTests {
    let pki = TestPKI.shared

    private func signed(_ identity: SigningIdentity, at signingTime: Date) throws -> (URL, [UInt8]) {
        let file = try temporaryDirectory("assessment").appendingPathComponent("quyet-dinh.txt")
        try write("Quyết định số 12/QĐ-SGDĐT về việc công nhận trường đạt chuẩn quốc gia", to: file)
        return (file, try CAdESSigner(identity: identity).signSynchronously(fileAt: file.path, signingTime: signingTime))
    }

    /// Validates at each time with `shared`, then with a validator of its own, and expects the
    /// same report.
    private func expectSameAsFresh(_ shared: SignatureValidator, _ signature: [UInt8], _ file: URL,
                                   at times: [Date]) throws -> [SignatureReport] {
        try times.map { time in
            let kept = try shared.validateSynchronously(signature: signature, contentAt: file.path, at: time)
            let fresh = try SignatureValidator(trustStore: shared.trustStore, policy: shared.policy)
                .validateSynchronously(signature: signature, contentAt: file.path, at: time)
            #expect(kept == fresh, "the kept conclusions differ from a fresh validation at \(time)")
            return try #require(kept.signatures.first)
        }
    }

    @Test func revocationTimeAndNextUpdateBoundTheKeptConclusions() throws {
        let (file, signature) = try signed(pki.fixtureIdentity("revoked-2024"), at: date("2023-06-01T09:00:00+07:00"))
        let validator = try SignatureValidator(trustStore: pki.trustStore())
        let before = date("2023-12-01T00:00:00+07:00")
        let first = try expectSameAsFresh(validator, signature, file, at: [before, before.addingTimeInterval(60), Date()])
        #expect(first.map(\.indication) == [.totalPassed, .totalPassed, .indeterminate])
        #expect(first.last?.subIndication == .revokedNoPOE)
        // At the revocation instant itself (revoked: the time is not after it), a second before,
        // and back to the first time again.
        let revoked = try #require(first.last?.revocation.first?.revocationTime)
        let second = try expectSameAsFresh(validator, signature, file,
                                           at: [revoked.addingTimeInterval(-1), revoked, revoked.addingTimeInterval(1), before])
        #expect(second.map(\.indication) == [.totalPassed, .indeterminate, .indeterminate, .totalPassed])
        #expect(validator.assessments.count == 1)
    }

    /// A CRL entry dated after the CRL's nextUpdate: between the two the CRL is stale (the entry
    /// is not reported), after the revocation date the signer is revoked. Both instants bound
    /// what is kept, the second although no status reported it.
    @Test func revocationDateAfterNextUpdateBoundsTheKeptConclusions() throws {
        let (file, signature) = try signed(pki.fixtureIdentity("revoked-2031"), at: date("2024-06-01T09:00:00+07:00"))
        let validator = try SignatureValidator(trustStore: pki.trustStore())
        let stale = date("2030-06-01T00:00:00+07:00")
        let reports = try expectSameAsFresh(validator, signature, file, at: [
            stale, date("2031-06-01T00:00:00+07:00"), stale, Date(),
        ])
        #expect(reports.map(\.subIndication) == [nil, .revokedNoPOE, nil, nil])
        #expect(reports[0].checks.first { $0.id == "revocation" }?.result == .warning)
        #expect(reports[0].revocation.first?.status == .unknown)
        #expect(reports[3].revocation.first?.status == .good)
    }

    @Test func validityPeriodBoundsTheKeptConclusions() throws {
        let identity = try pki.fixtureIdentity("expired")
        let (file, signature) = try signed(identity, at: date("2020-06-01T09:00:00+07:00"))
        let validator = try SignatureValidator(trustStore: pki.trustStore())
        let notAfter = identity.certificate.notAfter
        let reports = try expectSameAsFresh(validator, signature, file, at: [
            date("2020-07-01T00:00:00+07:00"), notAfter.addingTimeInterval(-1), notAfter, notAfter.addingTimeInterval(1),
            Date(), date("2020-07-01T00:00:00+07:00"), identity.certificate.notBefore.addingTimeInterval(-1),
        ])
        #expect(reports.map(\.subIndication) == [nil, nil, nil, .outOfBoundsNoPOE, .outOfBoundsNoPOE, nil, .outOfBoundsNoPOE])
    }

    @Test func incompleteChainIsNotKept() throws {
        let (file, signature) = try signed(pki.identity("nam.hv"), at: Date())
        let store = try TrustStore(anchors: Certificate.load(contentsOf: pki.fixtureCert("other-root")))
        let validator = SignatureValidator(trustStore: store)
        let reports = try expectSameAsFresh(validator, signature, file, at: [Date(), Date()])
        #expect(reports.map(\.subIndication) == [.noCertificateChainFound, .noCertificateChainFound])
        #expect(validator.assessments.count == 0)
    }
}
