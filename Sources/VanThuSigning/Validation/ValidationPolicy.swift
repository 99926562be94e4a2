/// The rules a validation applies, as data: reports name the policy they followed.
public struct ValidationPolicy: Sendable, Hashable, Codable {
    public enum RevocationRequirement: String, Sendable, Hashable, Codable {
        /// Missing or stale revocation data is a warning.
        case warnWhenMissing
        /// Missing or stale revocation data makes the result INDETERMINATE / TRY_LATER.
        case required
    }

    public var name: String
    public var description: String
    public var revocation: RevocationRequirement
    public var minimumRSABits: Int
    /// OpenSSL short names of the digests accepted for signatures and certificates.
    public var acceptedDigests: Set<String>
    public var acceptedCurves: Set<String>

    public init(name: String, description: String, revocation: RevocationRequirement,
                minimumRSABits: Int = 2048, acceptedDigests: Set<String> = ["SHA256", "SHA384", "SHA512"],
                acceptedCurves: Set<String> = ["P-256", "P-384", "P-521"]) {
        self.name = name
        self.description = description
        self.revocation = revocation
        self.minimumRSABits = minimumRSABits
        self.acceptedDigests = acceptedDigests
        self.acceptedCurves = acceptedCurves
    }

    /// Warns, and does not fail, when no CRL is known for an issuer.
    public static let `default` = ValidationPolicy(
        name: "vanthu-default-v1",
        description: "SHA-256/384/512, RSA ≥ 2048 bits or ECDSA P-256/P-384/P-521; CRLs checked when known, a warning when none is.",
        revocation: .warnWhenMissing)

    /// Requires a valid, current CRL for every certificate of the chain below the trust anchor.
    public static let strict = ValidationPolicy(
        name: "vanthu-strict-v1",
        description: "As vanthu-default-v1, and a current CRL is required for every certificate below the trust anchor.",
        revocation: .required)

    var summary: PolicySummary { PolicySummary(name: name, description: description) }
}
