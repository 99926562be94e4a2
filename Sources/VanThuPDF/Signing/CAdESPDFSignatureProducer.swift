#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VanThuSigning

/// Produces PAdES baseline B-B signatures with VanThuSigning's CAdES signer: CMS without a
/// signingTime attribute (the time is the signature dictionary's /M), ESS signing-certificate-v2,
/// the chain embedded. The private-key operation runs off the cooperative pool.
public struct CAdESPDFSignatureProducer: PDFSignatureProducer {
    public let signer: CAdESSigner

    public init(identity: SigningIdentity, rsaPadding: RSASignaturePadding = .pkcs1v15) {
        signer = CAdESSigner(identity: identity, rsaPadding: rsaPadding, includeSigningTime: false)
    }

    public func signDetached(
        messageDigest: [UInt8], digestAlgorithm: DigestAlgorithm, signingTime: Date, content: PDFSignedContent
    ) async throws -> [UInt8] {
        try await signer.signInBackground(messageDigest: messageDigest, digestAlgorithm: digestAlgorithm, signingTime: signingTime)
    }
}
