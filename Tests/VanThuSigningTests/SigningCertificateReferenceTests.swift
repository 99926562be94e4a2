import COpenSSL
import Foundation
import Testing
@testable import VanThuSigning

/// The ESS signing-certificate attributes: the first ESSCertID designates the signer (RFC 5035
/// §5.4.1.1); those after it may name its CA certificates and are not checked (EN 319 102-1).
@Suite struct SigningCertificateReferenceTests {
    let pki = TestPKI.shared

    /// ESSCertIDv2 with the default hash (SHA-256) and no issuerSerial.
    private func identifierV2(_ certificate: Certificate) -> [UInt8] {
        DER.tlv(0x30, DER.tlv(0x04, StreamingDigest.hash(certificate.der)))
    }

    /// ESSCertID (v1): the certificate's SHA-1.
    private func identifierV1(_ certificate: Certificate) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 0
        #expect(EVP_Digest(certificate.der, certificate.der.count, &digest, &length, EVP_sha1(), nil) == 1 && length == 20)
        return DER.tlv(0x30, DER.tlv(0x04, digest))
    }

    /// SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2) }.
    private func attribute(_ identifiers: [[UInt8]]) -> ArraySlice<UInt8> {
        DER.tlv(0x30, DER.tlv(0x30, identifiers.flatMap { $0 }))[...]
    }

    @Test func theFirstIdentifierDesignatesTheSignerAndTheCAsMayFollow() throws {
        let signer = try #require(Certificate.load(contentsOf: pki.cert("hung.nv")).first)
        let ca = try #require(Certificate.load(contentsOf: pki.issuingCA).first)
        let root = try #require(Certificate.load(contentsOf: pki.rootCertificate).first)
        func matches(v2: [[UInt8]]? = nil, v1: [[UInt8]]? = nil) -> Bool {
            SignerEvaluation.essMatches(v2Attribute: v2.map(attribute), v1Attribute: v1.map(attribute), signer)
        }
        #expect(matches(v2: [identifierV2(signer)]))
        #expect(matches(v2: [identifierV2(signer), identifierV2(ca)]))
        #expect(matches(v2: [identifierV2(signer), identifierV2(ca), identifierV2(root)]))
        #expect(matches(v1: [identifierV1(signer), identifierV1(ca)]))
        #expect(matches(v2: [identifierV2(signer), identifierV2(ca)], v1: [identifierV1(signer), identifierV1(root)]))
        // The signer's certificate must come first; a list without it, or an empty one, designates no one.
        #expect(!matches(v2: [identifierV2(ca), identifierV2(signer)]))
        #expect(!matches(v2: [identifierV2(ca)]))
        #expect(!matches(v2: []))
        #expect(!matches(v2: [identifierV2(signer)], v1: [identifierV1(ca)]))
    }
}
