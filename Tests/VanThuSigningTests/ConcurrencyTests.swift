import Foundation
import Testing
@testable import VanThuSigning

@Suite struct ConcurrencyTests {
    let pki = TestPKI.shared

    /// Many tasks signing and verifying at once, sharing one identity, one trust store and its caches.
    @Test func manyTasksSignAndVerifyAtOnce() async throws {
        let dir = try temporaryDirectory("concurrent")
        let identities = try ["hung.nv", "lan.tt", "tung.dv", "thu.nt"].map { try pki.identity($0) }
        let validator = SignatureValidator(trustStore: try pki.trustStore())
        let outcomes = try await withThrowingTaskGroup(of: (Int, Indication, SubIndication?).self) { group in
            for index in 0..<64 {
                group.addTask {
                    let file = dir.appendingPathComponent("doc-\(index).txt")
                    try write("Văn bản số \(index)", to: file)
                    let identity = identities[index % identities.count]
                    let signer = CAdESSigner(identity: identity, digestAlgorithm: index % 3 == 0 ? .sha384 : .sha256,
                                             rsaPadding: index % 2 == 0 ? .pss : .pkcs1v15)
                    var signature = try await signer.sign(fileAt: file.path)
                    if index % 8 == 7 { try write("Văn bản số \(index) đã bị sửa", to: file) }
                    if index % 16 == 5 { signature[signature.count - 1] ^= 1 }
                    let report = try await validator.validate(signature: signature, contentAt: file.path)
                    return (index, report.indication, report.subIndication)
                }
            }
            var all: [Int: (Indication, SubIndication?)] = [:]
            for try await (index, indication, sub) in group { all[index] = (indication, sub) }
            return all
        }
        #expect(outcomes.count == 64)
        for (index, outcome) in outcomes {
            let expected: (Indication, SubIndication?) =
                index % 8 == 7 ? (.totalFailed, .hashFailure)
                : index % 16 == 5 ? (.totalFailed, .sigCryptoFailure)
                : index % 4 == 2 ? (.indeterminate, .revokedNoPOE)
                : (.totalPassed, nil)
            #expect(outcome.0 == expected.0 && outcome.1 == expected.1, "document \(index)")
        }
    }
}
