import COpenSSL

/// The work a password-based encryption algorithm in a key file asks for, read before OpenSSL
/// derives a key with it: the file chooses the iteration count, and a hostile one (2^31) would
/// keep `vanthu sign` busy for tens of minutes. Counts are bounded like the PKCS#12 MAC's.
enum KeyDerivationCost {
    /// Tools write 2,048 to 600,000 iterations (OpenSSL 3: 2,048 for PKCS#12, PKCS#8 and PBKDF2).
    static let maximumIterations = 2_000_000

    /// Throws one sentence when the algorithm identifier (an X509_ALGOR) asks for more work than
    /// `maximumIterations`; `what` names the file for the message.
    static func check(_ algorithm: UnsafePointer<X509_ALGOR>?, what: String) throws {
        guard let algorithm,
              let der = encodeDER({ i2d_X509_ALGOR(UnsafeMutablePointer(mutating: algorithm), $0) }) else { return }
        if let cost = iterations(algorithmIdentifier: der), cost > maximumIterations {
            throw SigningError(.malformedInput,
                "The \(what) asks for \(cost) key-derivation iterations, more than the \(maximumIterations) VanThu accepts.")
        }
    }

    private static let pkcs12PBE: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01]   // 1.2.840.113549.1.12.1
    private static let pkcs5: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05]             // 1.2.840.113549.1.5
    private static let scrypt: [UInt8] = [0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b]      // 1.3.6.1.4.1.11591.4.11

    /// The iteration count of a PBES1, PKCS#12 PBE or PBES2 (PBKDF2 or scrypt) algorithm
    /// identifier; nil for any other algorithm. Unreadable parameters count as unbounded.
    static func iterations(algorithmIdentifier der: [UInt8]) -> Int? {
        guard let sequence = DER.element(der, at: 0, end: der.count), sequence.tag == 0x30,
              let fields = DER.children(der, of: sequence.value), let oid = fields.first, oid.tag == 0x06 else { return nil }
        let identifier = Array(der[oid.value])
        let parameters = fields.count > 1 ? fields[1] : nil
        if identifier.count == pkcs12PBE.count + 1, identifier.starts(with: pkcs12PBE) {
            return pbeParameterIterations(der, parameters)
        }
        guard identifier.count == pkcs5.count + 1, identifier.starts(with: pkcs5) else { return nil }
        switch identifier.last! {
        case 1, 3, 4, 6, 10, 11:   // PBES1: PBEParameter
            return pbeParameterIterations(der, parameters)
        case 13:                   // PBES2: keyDerivationFunc, encryptionScheme
            guard let parameters, parameters.tag == 0x30, let parts = DER.children(der, of: parameters.value),
                  let kdf = parts.first, kdf.tag == 0x30, let kdfFields = DER.children(der, of: kdf.value),
                  let kdfOID = kdfFields.first, kdfOID.tag == 0x06 else { return Int.max }
            let kdfIdentifier = Array(der[kdfOID.value])
            let kdfParameters = kdfFields.count > 1 ? kdfFields[1] : nil
            if kdfIdentifier == pkcs5 + [12] { return pbeParameterIterations(der, kdfParameters) }   // PBKDF2
            if kdfIdentifier == scrypt {
                // scrypt-params: salt, costParameter N, blockSize r, parallelizationParameter p.
                guard let kdfParameters, kdfParameters.tag == 0x30, let values = DER.children(der, of: kdfParameters.value),
                      values.count >= 4 else { return Int.max }
                let (n, r, p) = (integer(der, values[1]), integer(der, values[2]), integer(der, values[3]))
                let (product, overflow) = n.multipliedReportingOverflow(by: r)
                let (cost, overflow2) = product.multipliedReportingOverflow(by: p)
                return overflow || overflow2 ? Int.max : cost
            }
            return nil
        default:
            return nil
        }
    }

    /// PBEParameter and PBKDF2-params alike: a salt, then the iteration count.
    private static func pbeParameterIterations(_ der: [UInt8], _ parameters: DER.Element?) -> Int {
        guard let parameters, parameters.tag == 0x30, let values = DER.children(der, of: parameters.value),
              values.count >= 2 else { return Int.max }
        return integer(der, values[1])
    }

    /// A non-negative INTEGER's value; Int.max for anything larger, negative or not an INTEGER.
    private static func integer(_ der: [UInt8], _ element: DER.Element) -> Int {
        guard element.tag == 0x02, !element.value.isEmpty, der[element.valueStart] & 0x80 == 0 else { return Int.max }
        var value = 0
        for byte in der[element.value] {
            guard value <= (Int.max >> 8) else { return Int.max }
            value = value << 8 | Int(byte)
        }
        return value
    }

    // MARK: - PKCS#12

    /// Checks every encryption algorithm of a PKCS#12 file before it is decrypted: those of its
    /// encrypted safes, and, inside the safes the passphrase opens, those of its shrouded key bags.
    static func checkPKCS12(_ p12: OpaquePointer, passphrase: [CChar]?) throws {
        guard let safes = PKCS12_unpack_authsafes(p12) else {
            OpenSSLErrorQueue.clear()
            return   // PKCS12_parse will say the file is damaged
        }
        defer {
            for index in 0..<OPENSSL_sk_num(safes) {
                PKCS7_free(OpaquePointer(OPENSSL_sk_value(safes, index)).map { UnsafeMutablePointer<PKCS7>($0) })
            }
            OPENSSL_sk_free(safes)
        }
        for index in 0..<OPENSSL_sk_num(safes) {
            guard let raw = OPENSSL_sk_value(safes, index) else { continue }
            let p7 = raw.assumingMemoryBound(to: PKCS7.self)
            switch OBJ_obj2nid(p7.pointee.type) {
            case NID_pkcs7_data:
                guard let bags = PKCS12_unpack_p7data(p7) else { continue }
                defer { freeBags(bags) }
                try checkBags(bags)
            case NID_pkcs7_encrypted:
                guard let encrypted = p7.pointee.d.encrypted, let content = encrypted.pointee.enc_data else { continue }
                try check(content.pointee.algorithm, what: "PKCS#12 file")
                let length = Int32(passphrase.map { $0.count - 1 } ?? 0)
                guard let bags = PKCS12_unpack_p7encdata(p7, passphrase, length) else {
                    OpenSSLErrorQueue.clear()
                    continue
                }
                defer { freeBags(bags) }
                try checkBags(bags)
            default:
                continue
            }
        }
    }

    private static func checkBags(_ bags: OpaquePointer, depth: Int = 0) throws {
        for index in 0..<OPENSSL_sk_num(bags) {
            guard let bag = OpaquePointer(OPENSSL_sk_value(bags, index)) else { continue }
            switch PKCS12_SAFEBAG_get_nid(bag) {
            case NID_pkcs8ShroudedKeyBag:
                var algorithm: UnsafePointer<X509_ALGOR>?
                X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &algorithm, nil)
                try check(algorithm, what: "PKCS#12 file")
            case NID_safeContentsBag where depth < 8:
                if let inner = PKCS12_SAFEBAG_get0_safes(bag) { try checkBags(inner, depth: depth + 1) }
            default:
                continue
            }
        }
    }

    private static func freeBags(_ bags: OpaquePointer) {
        for index in 0..<OPENSSL_sk_num(bags) {
            PKCS12_SAFEBAG_free(OpaquePointer(OPENSSL_sk_value(bags, index)))
        }
        OPENSSL_sk_free(bags)
    }
}
