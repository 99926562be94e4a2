import COpenSSL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The checks of ETSI EN 319 102-1 basic validation for one CMS SignerInfo, run in one
/// synchronous call on one thread.
struct SignerEvaluation {
    let storage: TrustStore.Storage
    let policy: ValidationPolicy
    let validationTime: Date
    /// Certificates embedded in the signature and given by the caller, for path building.
    let candidates: [Certificate]
    let format: SignatureFormat?
    let assessments: CertificateAssessments

    struct Finding: Sendable {
        let check: ValidationCheck
        let indication: Indication?
    }

    struct Findings {
        var items: [Finding] = []
        mutating func pass(_ id: String, _ reason: String) {
            items.append(Finding(check: ValidationCheck(id: id, result: .passed, reason: reason), indication: nil))
        }
        mutating func warn(_ id: String, _ reason: String) {
            items.append(Finding(check: ValidationCheck(id: id, result: .warning, reason: reason), indication: nil))
        }
        mutating func fail(_ id: String, _ indication: Indication, _ sub: SubIndication, _ reason: String) {
            items.append(Finding(check: ValidationCheck(id: id, result: .failed, reason: reason, subIndication: sub), indication: indication))
        }
    }

    /// Which failure names the result when several checks fail: TOTAL_FAILED before
    /// INDETERMINATE, then the order of ETSI's building blocks.
    private static let priority: [SubIndication] = [
        .formatFailure, .hashFailure, .sigCryptoFailure, .noSigningCertificateFound, .noCertificateChainFound,
        .certificateChainGeneralFailure, .chainConstraintsFailure, .cryptoConstraintsFailure, .revokedNoPOE,
        .revokedCANoPOE, .outOfBoundsNoPOE, .notYetValid, .sigConstraintsFailure, .tryLater,
    ]

    func evaluate(signer: SignedData.SignerInfo, index: Int, in signedData: SignedData,
                  contentDigests: [Int32: [UInt8]]) -> SignatureReport {
        defer { OpenSSLErrorQueue.clear() }
        var findings = Findings()
        let digestNID = signer.digestAlgorithm.nid
        let digestName = Self.digestName(digestNID)
        let ess = (v2: signer.signedValue(AttributeType.signingCertificateV2, tag: 0x30),
                   v1: signer.signedValue(AttributeType.signingCertificate, tag: 0x30))
        let hasESS = ess.v2 != nil || ess.v1 != nil
        // Searched as CMS_set1_signers_certs searches: the embedded and given certificates, then
        // the store's intermediates (the Government CA's PDFs embed no intermediates). The
        // certificate set is not signed, so anyone can add a certificate with the signer's issuer
        // and serial number: when several match, the one the signed ESS attribute designates
        // wins, else the first whose key verifies the signature value.
        let matching = SignerIdentification.certificates(for: signer.identifier, among: candidates + storage.intermediates)
        var signerCertificate = matching.first
        if matching.count > 1 {
            let designated = !hasESS ? nil : matching.first { candidate in
                storage.signingCertificateReference(v2: ess.v2, v1: ess.v1, matches: candidate) {
                    Self.essMatches(v2Attribute: ess.v2, v1Attribute: ess.v1, candidate)
                }
            }
            signerCertificate = designated ?? matching.first { candidate in
                SignatureValueVerification.verify(signer, index: index, in: signedData, certificate: candidate,
                                                  digestNID: signer.digestAlgorithm.nid, storage: storage)
            } ?? matching.first
        }
        var claimedTime: Date?
        var assessment: CertificateAssessment?

        checks: do {
            guard checkSignedAttributes(signer, &findings) else { break checks }
            checkMessageDigest(signer, digestNID: digestNID, digestName: digestName, contentDigests, &findings)
            guard let certificate = signerCertificate else {
                findings.fail("signing-certificate-identified", .indeterminate, .noSigningCertificateFound,
                              "The signer's certificate is neither embedded in the signature nor given as an untrusted certificate.")
                break checks
            }
            findings.pass("signing-certificate-identified", "The signer's certificate was found: \(certificate.displayName).")
            if SignatureValueVerification.verify(signer, index: index, in: signedData, certificate: certificate,
                                                 digestNID: digestNID, storage: storage) {
                findings.pass("signature-value", "The signature value verifies with the signer's public key.")
            } else {
                findings.fail("signature-value", .totalFailed, .sigCryptoFailure,
                              "The signature value does not verify with the signer's public key: the signed attributes were altered or another key signed.")
            }
            checkSigningCertificateReference(v2: ess.v2, v1: ess.v1, certificate, &findings)
            claimedTime = checkSigningTime(signer, certificate, &findings)
            let assessed = assess(certificate, digestNID: digestNID, digestName: digestName)
            findings.items.append(contentsOf: assessed.findings)
            assessment = assessed
        }

        let failures = findings.items.compactMap { finding in finding.indication.map { ($0, finding.check.subIndication!) } }
        let decisive = failures.filter { $0.0 == .totalFailed }.isEmpty ? failures : failures.filter { $0.0 == .totalFailed }
        let chosen = decisive.min { Self.rank($0.1) < Self.rank($1.1) }
        let signerSummary = assessment?.signer ?? signerCertificate.map { CertificateSummary($0) }
        let anchors = storage.anchorFingerprints
        return SignatureReport(
            id: "signature-\(index + 1)",
            format: format ?? (hasESS ? .cades : .cms),
            indication: chosen?.0 ?? .totalPassed,
            subIndication: chosen?.1,
            signer: signerSummary,
            claimedSigningTime: claimedTime,
            digestAlgorithm: digestName,
            signatureAlgorithm: Self.signatureAlgorithmName(signer.signatureAlgorithm.nid, key: signerSummary?.publicKey),
            chain: assessment?.chainSummaries
                ?? signerCertificate.map { [CertificateSummary($0, isTrustAnchor: anchors.contains($0.fingerprint))] } ?? [],
            revocation: assessment?.revocation ?? [],
            checks: findings.items.map(\.check))
    }

    /// The conclusions drawn from the signer's certificate alone (see `CertificateAssessment`),
    /// made once per certificate and digest for as long as they hold.
    private func assess(_ certificate: Certificate, digestNID: Int32, digestName: String) -> CertificateAssessment {
        let key = CertificateAssessments.Key(certificate: certificate.fingerprint, digestNID: digestNID,
                                             candidates: candidates.map(\.fingerprint))
        if let known = assessments.assessment(for: key, at: validationTime) { return known }
        var findings = Findings()
        checkKeyUsage(certificate, &findings)
        let outcome = storage.buildChain(leaf: certificate, untrusted: candidates, at: validationTime)
        let complete = checkChain(outcome, &findings)
        checkValidityPeriods(outcome.chain, &findings)
        checkCryptographicConstraints(digestNID: digestNID, digestName: digestName, chain: outcome.chain, &findings)
        let revocation = complete ? checkRevocation(outcome.chain, &findings) : (statuses: [], instants: [])
        let anchors = storage.anchorFingerprints
        let made = CertificateAssessment(
            findings: findings.items, signer: CertificateSummary(certificate),
            chainSummaries: outcome.chain.map { CertificateSummary($0, isTrustAnchor: anchors.contains($0.fingerprint)) },
            // The validity of every certificate the path builder could choose from bounds the
            // span, not only that of the chosen path: at another time it may choose another.
            revocation: revocation.statuses,
            instants: ([certificate] + candidates).flatMap { [$0.notBefore, $0.notAfter] } + storage.storeInstants + revocation.instants,
            validationTime: validationTime)
        // An incomplete chain may complete with other untrusted certificates next time.
        if complete { assessments.remember(made, for: key) }
        return made
    }

    private static func rank(_ sub: SubIndication) -> Int { priority.firstIndex(of: sub) ?? priority.count }

    // MARK: - Signed attributes and cryptographic verification

    private func checkSignedAttributes(_ signer: SignedData.SignerInfo, _ findings: inout Findings) -> Bool {
        guard !signer.signedAttributes.isEmpty else {
            // A conforming CMS signature (RFC 5652 §5.4: it signs the content itself), but without
            // the signing certificate reference and signing time that the policies ask for:
            // not failed as broken, not accepted either.
            findings.fail("signed-attributes", .indeterminate, .sigConstraintsFailure,
                          "The signature has no signed attributes: it signs the document directly, a form of CMS the policy \(policy.name) does not accept (CAdES requires signed attributes).")
            return false
        }
        guard signer.signedValue(AttributeType.messageDigest, tag: 0x04) != nil else {
            findings.fail("signed-attributes", .totalFailed, .formatFailure,
                          signer.attributeRuleViolation?.reason ?? "The signed attributes lack the messageDigest attribute.")
            return false
        }
        guard let contentType = signer.signedValue(AttributeType.contentType, tag: 0x06) else {
            findings.fail("signed-attributes", .totalFailed, .formatFailure,
                          signer.attributeRuleViolation?.reason ?? "The signed attributes lack the contentType attribute.")
            return false
        }
        // A broken attribute rule is a malformed signature, not a signature value that fails.
        if let violation = signer.attributeRuleViolation {
            findings.fail("signed-attributes", .totalFailed, .formatFailure, violation.reason)
            return false
        }
        guard DER.same(contentType, signer.encapsulatedContentTypeElement) else {
            findings.fail("signed-attributes", .totalFailed, .formatFailure,
                          "The signed contentType attribute says \(Self.objectName(contentType)) but the encapsulated content type is \(Self.objectName(signer.encapsulatedContentTypeElement)); RFC 5652 §11.1 requires them to be equal.")
            return false
        }
        findings.pass("signed-attributes", "The contentType and messageDigest signed attributes are present.")
        checkSignedContentType(contentType, &findings)
        checkEmbeddedContent(signer, &findings)
        return true
    }

    private func checkMessageDigest(_ signer: SignedData.SignerInfo, digestNID: Int32, digestName: String,
                                    _ contentDigests: [Int32: [UInt8]], _ findings: inout Findings) {
        guard let signed = signer.signedValue(AttributeType.messageDigest, tag: 0x04) else { return }
        let expected = DER.contentOctets(signed)
        guard let actual = contentDigests[digestNID] else {
            findings.fail("message-digest", .indeterminate, .cryptoConstraintsFailure,
                          "The digest algorithm \(digestName) is not supported, so the document cannot be compared with the signature.")
            return
        }
        if DER.same(actual, expected) {
            findings.pass("message-digest", "The document's \(digestName) digest matches the signed messageDigest.")
        } else {
            findings.fail("message-digest", .totalFailed, .hashFailure,
                          "The document differs from what was signed: its \(digestName) digest does not match the signed messageDigest.")
        }
    }

    /// `v2`, `v1`: the signingCertificateV2 and signingCertificate attribute values, when present.
    private func checkSigningCertificateReference(v2 v2Attribute: ArraySlice<UInt8>?, v1 v1Attribute: ArraySlice<UInt8>?,
                                                  _ certificate: Certificate, _ findings: inout Findings) {
        guard v2Attribute != nil || v1Attribute != nil else {
            findings.warn("signing-certificate-reference",
                          "The signature has no ESS signing-certificate attribute: it is plain CMS, not CAdES-B-B.")
            return
        }
        let matches = storage.signingCertificateReference(v2: v2Attribute, v1: v1Attribute, matches: certificate) {
            Self.essMatches(v2Attribute: v2Attribute, v1Attribute: v1Attribute, certificate)
        }
        if matches {
            findings.pass("signing-certificate-reference", "The ESS signing-certificate attribute designates the signer's certificate.")
        } else {
            findings.fail("signing-certificate-reference", .indeterminate, .noSigningCertificateFound,
                          "The ESS signing-certificate attribute designates another certificate than the one that verifies the signature.")
        }
    }

    private func checkSigningTime(_ signer: SignedData.SignerInfo, _ certificate: Certificate, _ findings: inout Findings) -> Date? {
        let raw = signer.signedValue(AttributeType.signingTime, tag: 0x17) ?? signer.signedValue(AttributeType.signingTime, tag: 0x18)
        guard let raw, let time = Self.time(raw) else {
            findings.warn("signing-time", "The signature has no signingTime attribute.")
            return nil
        }
        if time < certificate.notBefore {
            findings.fail("signing-time", .totalFailed, .notYetValid,
                          "The claimed signing time \(ReportDate.text(time)) is before the certificate became valid on \(ReportDate.text(certificate.notBefore)).")
        } else if time > validationTime {
            findings.warn("signing-time", "The claimed signing time \(ReportDate.text(time)) is after the validation time.")
        } else if time > certificate.notAfter {
            findings.warn("signing-time", "The claimed signing time \(ReportDate.text(time)) is after the certificate expired on \(ReportDate.text(certificate.notAfter)).")
        } else {
            findings.pass("signing-time", "The claimed signing time \(ReportDate.text(time)) is within the certificate's validity.")
        }
        return time
    }

    // MARK: - Certificates

    /// Key usage, then extended key usage (RFC 5280 §4.2.1.12: when present, the certificate
    /// may be used only for the purposes it lists). A TLS server's certificate does not sign
    /// documents; see `vt_eku_allows_document_signing` for the purposes that do.
    private func checkKeyUsage(_ certificate: Certificate, _ findings: inout Findings) {
        let extended = vt_eku_allows_document_signing(certificate.backing.pointer)
        OpenSSLErrorQueue.clear()
        if extended == 0 || extended == -2 {
            var names = [CChar](repeating: 0, count: 512)
            vt_eku_names(certificate.backing.pointer, &names, names.count)
            OpenSSLErrorQueue.clear()
            let listed = String(decoding: names.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            findings.fail("key-usage", .indeterminate, .chainConstraintsFailure, extended == -2
                ? "The certificate's extended key usage extension cannot be read."
                : "The certificate's extended key usage (\(listed)) allows neither document signing, email protection, client authentication nor any purpose.")
            return
        }
        let purposes = extended == 1 ? " and its extended key usage allows document signatures" : ""
        guard let usage = certificate.keyUsage else {
            findings.pass("key-usage", "The certificate has no key usage extension, so signing is not restricted\(purposes).")
            return
        }
        if usage.contains(.digitalSignature) || usage.contains(.nonRepudiation) {
            findings.pass("key-usage", "The key usage allows signing (\(usage.names.joined(separator: ", ")))\(purposes).")
        } else {
            findings.fail("key-usage", .indeterminate, .chainConstraintsFailure,
                          "The certificate's key usage (\(usage.names.joined(separator: ", "))) has neither digitalSignature nor nonRepudiation.")
        }
    }

    private func checkChain(_ outcome: ChainOutcome, _ findings: inout Findings) -> Bool {
        guard let failure = outcome.failure else {
            let anchor = outcome.chain.last
            findings.pass("certificate-chain", "The certificate chains to the trust anchor \(anchor?.displayName ?? "").")
            return true
        }
        // OpenSSL counts depth from the signer's certificate (0) towards the anchor.
        let which = failure.depth == 0 ? "the signer's certificate" : "the certificate at depth \(failure.depth) of the chain"
        let reason: String = switch failure.subIndication {
        case .noCertificateChainFound:
            "No path leads from the signer's certificate to a trust anchor (\(failure.message) at depth \(failure.depth))."
        case .certificateChainGeneralFailure:
            "A certificate of the chain does not verify (\(failure.message) at depth \(failure.depth))."
        case .cryptoConstraintsFailure:
            "A certificate of the chain uses an algorithm below policy (\(failure.message) at depth \(failure.depth))."
        default:
            failure.code == X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION
                ? "The chain cannot be accepted: \(which) has a critical extension VanThu does not process."
                : "The chain breaks a certificate constraint: \(failure.message) (\(which))."
        }
        findings.fail("certificate-chain", .indeterminate, failure.subIndication, reason)
        return false
    }

    private func checkValidityPeriods(_ chain: [Certificate], _ findings: inout Findings) {
        for (depth, certificate) in chain.enumerated() {
            let who = depth == 0 ? "The signer's certificate" : "The CA certificate \(certificate.displayName)"
            if validationTime > certificate.notAfter {
                findings.fail("validity-period", .indeterminate, .outOfBoundsNoPOE,
                              "\(who) expired on \(ReportDate.text(certificate.notAfter)), before the validation time, and no proof of existence shows the signature was made earlier.")
                return
            }
            // NOT_YET_VALID is TOTAL_FAILED's, for a signing time before the certificate (EN 319
            // 102-1 Table 5); a validation time outside the validity is OUT_OF_BOUNDS_NO_POE.
            if validationTime < certificate.notBefore {
                findings.fail("validity-period", .indeterminate, .outOfBoundsNoPOE,
                              "\(who) is not valid until \(ReportDate.text(certificate.notBefore)), after the validation time.")
                return
            }
        }
        findings.pass("validity-period", "Every certificate of the chain is valid at the validation time.")
    }

    private func checkCryptographicConstraints(digestNID: Int32, digestName: String, chain: [Certificate],
                                               _ findings: inout Findings) {
        var problems: [String] = []
        let digestShort = OBJ_nid2sn(digestNID).map { String(cString: $0) } ?? digestName
        if !policy.acceptedDigests.contains(digestShort) {
            problems.append("the signature uses \(digestName)")
        }
        for (depth, certificate) in chain.enumerated() {
            let name = depth == 0 ? "the signer's certificate" : "the CA certificate \(certificate.displayName)"
            let key = certificate.publicKey
            switch key.algorithm {
            case .rsa, .rsaPSS:
                if key.bits < policy.minimumRSABits { problems.append("\(name) has an RSA key of \(key.bits) bits") }
            case .ec:
                if !policy.acceptedCurves.contains(key.curve ?? "") { problems.append("\(name) uses the curve \(key.curve ?? "unknown")") }
            case .dsa:
                problems.append("\(name) has a \(key) key, and the policy does not accept DSA")
            case .other:
                problems.append("\(name) has a key of an unknown type")
            default:
                break
            }
            let isAnchor = storage.anchorFingerprints.contains(certificate.fingerprint)
            if !isAnchor, let digest = certificate.signatureDigest, !policy.acceptedDigests.contains(digest) {
                problems.append("\(name) is signed with \(digest)")
            }
        }
        if problems.isEmpty {
            findings.pass("cryptographic-constraints", "Every algorithm and key size meets the policy \(policy.name).")
        } else {
            findings.fail("cryptographic-constraints", .indeterminate, .cryptoConstraintsFailure,
                          "An algorithm is below the policy \(policy.name): \(problems.joined(separator: "; ")).")
        }
    }

    /// Whether the first ESSCertID(v2) of each attribute present designates `certificate`.
    /// RFC 5035 §5.4.1.1 makes the first the signing certificate and lets the others name CA
    /// certificates, which EN 319 102-1 does not check; OpenSSL's check wants every listed
    /// certificate in the list it is given, so it is given the attribute cut to its first entry.
    static func essMatches(v2Attribute: ArraySlice<UInt8>?, v1Attribute: ArraySlice<UInt8>?,
                                   _ certificate: Certificate) -> Bool {
        let v2 = v2Attribute.flatMap(firstCertificateIdentifier).flatMap { decodeDER($0[...]) { d2i_ESS_SIGNING_CERT_V2(nil, $0, $1) } }
        let v1 = v1Attribute.flatMap(firstCertificateIdentifier).flatMap { decodeDER($0[...]) { d2i_ESS_SIGNING_CERT(nil, $0, $1) } }
        defer {
            if let v1 { ESS_SIGNING_CERT_free(v1) }
            if let v2 { ESS_SIGNING_CERT_V2_free(v2) }
            OpenSSLErrorQueue.clear()
        }
        guard v1 != nil || v2 != nil else { return false }
        return (try? withCertificateStack([certificate]) { OSSL_ESS_check_signing_certs(v1, v2, $0, 1) == 1 }) ?? false
    }

    /// SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }
    /// re-encoded with its first ESSCertID alone (policies dropped: nothing checks them); nil
    /// when it is not of that shape, or lists nothing.
    static func firstCertificateIdentifier(_ attribute: ArraySlice<UInt8>) -> [UInt8]? {
        let der = Array(attribute)
        guard let outer = DER.element(der, at: 0, end: der.count), outer.tag == 0x30, outer.end == der.count,
              let certs = DER.element(der, at: outer.valueStart, end: outer.end), certs.tag == 0x30,
              let first = DER.element(der, at: certs.valueStart, end: certs.end), first.tag == 0x30 else { return nil }
        return DER.tlv(0x30, DER.tlv(0x30, der[first.whole]))
    }

    /// A UTCTime or GeneralizedTime element, read by OpenSSL's rules.
    static func time(_ element: ArraySlice<UInt8>) -> Date? {
        guard let parsed = decodeDER(element, { d2i_ASN1_TIME(nil, $0, $1) }) else { OpenSSLErrorQueue.clear(); return nil }
        defer { ASN1_TIME_free(parsed) }
        return Date(asn1Time: parsed)
    }

    static func digestName(_ nid: Int32) -> String {
        switch nid {
        case NID_sha256: "SHA-256"
        case NID_sha384: "SHA-384"
        case NID_sha512: "SHA-512"
        case NID_sha1: "SHA-1"
        case NID_md5: "MD5"
        case NID_sha224: "SHA-224"
        default: OBJ_nid2sn(nid).map { String(cString: $0) } ?? "unknown"
        }
    }

    /// The scheme, and the key as reports describe it (`RSA-2048`).
    static func signatureAlgorithmName(_ nid: Int32, key: String?) -> String? {
        let scheme: String = switch nid {
        case NID_rsaEncryption, NID_sha256WithRSAEncryption, NID_sha384WithRSAEncryption,
             NID_sha512WithRSAEncryption, NID_sha1WithRSAEncryption: "RSASSA-PKCS1-v1_5"
        case NID_rsassaPss: "RSASSA-PSS"
        case NID_X9_62_id_ecPublicKey, NID_ecdsa_with_SHA256, NID_ecdsa_with_SHA384,
             NID_ecdsa_with_SHA512, NID_ecdsa_with_SHA1: "ECDSA"
        default: OBJ_nid2ln(nid).map { String(cString: $0) } ?? "unknown"
        }
        return key.map { "\(scheme) (\($0))" } ?? scheme
    }
}
