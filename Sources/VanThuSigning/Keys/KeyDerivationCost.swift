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
        _ = try cost(algorithm, what: what)
    }

    /// The key-derivation work the algorithm identifier asks for (0 when it derives no key),
    /// after `check`'s bound.
    static func cost(_ algorithm: UnsafePointer<X509_ALGOR>?, what: String) throws -> Int {
        guard let algorithm,
              let der = encodeDER({ i2d_X509_ALGOR(UnsafeMutablePointer(mutating: algorithm), $0) }) else { return 0 }
        guard let cost = iterations(algorithmIdentifier: der) else { return 0 }
        if cost > maximumIterations {
            throw SigningError(.malformedInput,
                "The \(what) asks for \(cost) key-derivation iterations, more than the \(maximumIterations) VanThu accepts.")
        }
        return cost
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

    /// The key-derivation work one PKCS#12 file may ask for in all: its MAC (each passphrase
    /// tried), its encrypted safes and its shrouded key bags. Each count alone is bounded by
    /// `maximumIterations`, but a file can use many; tools use two or three counts of 2,048 to
    /// 600,000.
    static let maximumTotalIterations = 2 * maximumIterations

    /// How deep safeContentsBags may nest. PKCS12_parse decrypts a key bag at any depth, so a
    /// deeper file is refused rather than read unchecked; tools nest none.
    static let maximumNesting = 8

    /// The key-derivation work spent on one PKCS#12 file, refused beyond `maximumTotalIterations`
    /// before it is done.
    struct Budget {
        private(set) var spent = 0

        mutating func spend(_ cost: Int) throws {
            let (total, overflow) = spent.addingReportingOverflow(cost)
            guard !overflow, total <= maximumTotalIterations else {
                throw SigningError(.malformedInput,
                    "The PKCS#12 file asks for more key-derivation iterations in all than the \(maximumTotalIterations) VanThu accepts.")
            }
            spent = total
        }
    }

    /// The safes of a PKCS#12 file, read so that no key is derived twice and none beyond the
    /// budget: the cost of every encryption the passphrase is needed for is known (`cost`)
    /// before any is done, except that of key bags inside encrypted safes, which is checked
    /// once those are decrypted. `readable` then gives PKCS12_parse a copy with every safe
    /// decrypted, so it decrypts only the key.
    final class PKCS12Safes {
        /// STACK_OF(PKCS7), or nil when the file's content cannot be read.
        private let safes: OpaquePointer?
        /// The work of decrypting the encrypted safes and the key bags in plain ones.
        private(set) var cost = 0

        init(_ p12: OpaquePointer) throws {
            safes = PKCS12_unpack_authsafes(p12)
            OpenSSLErrorQueue.clear()
            guard let safes else { return }
            for index in 0..<OPENSSL_sk_num(safes) {
                guard let p7 = OPENSSL_sk_value(safes, index)?.assumingMemoryBound(to: PKCS7.self) else { continue }
                switch OBJ_obj2nid(p7.pointee.type) {
                case NID_pkcs7_data:
                    guard let bags = PKCS12_unpack_p7data(p7) else { continue }
                    defer { freeBags(bags) }
                    cost = saturatingSum(cost, try keyBagCost(bags))
                case NID_pkcs7_encrypted:
                    guard let encrypted = p7.pointee.d.encrypted, let content = encrypted.pointee.enc_data else { continue }
                    cost = saturatingSum(cost, try KeyDerivationCost.cost(content.pointee.algorithm, what: "PKCS#12 file"))
                default:
                    continue
                }
            }
            OpenSSLErrorQueue.clear()
        }

        deinit {
            guard let safes else { return }
            for index in 0..<OPENSSL_sk_num(safes) {
                PKCS7_free(OPENSSL_sk_value(safes, index)?.assumingMemoryBound(to: PKCS7.self))
            }
            OPENSSL_sk_free(safes)
        }

        /// A new PKCS#12 holding the same bags in unencrypted safes, with a one-iteration MAC
        /// for `passphrase` (none without one), as PKCS12_parse wants it; the caller frees it.
        /// nil when a safe cannot be read or the passphrase does not decrypt it. The work of
        /// the key bags found in encrypted safes is spent from `budget` before it is returned.
        func readable(passphrase: [CChar]?, budget: inout Budget) throws -> OpaquePointer? {
            guard let safes, let plain = OPENSSL_sk_new_null() else { return nil }
            defer {
                for index in 0..<OPENSSL_sk_num(plain) {
                    PKCS7_free(OPENSSL_sk_value(plain, index)?.assumingMemoryBound(to: PKCS7.self))
                }
                OPENSSL_sk_free(plain)
                OpenSSLErrorQueue.clear()
            }
            for index in 0..<OPENSSL_sk_num(safes) {
                guard let p7 = OPENSSL_sk_value(safes, index)?.assumingMemoryBound(to: PKCS7.self) else { return nil }
                let bags: OpaquePointer
                switch OBJ_obj2nid(p7.pointee.type) {
                case NID_pkcs7_data:
                    guard let read = PKCS12_unpack_p7data(p7) else { return nil }
                    bags = read
                case NID_pkcs7_encrypted:
                    let length = Int32(passphrase.map { $0.count - 1 } ?? 0)
                    guard let read = PKCS12_unpack_p7encdata(p7, passphrase, length) else { return nil }
                    bags = read
                    do { try budget.spend(try keyBagCost(bags)) } catch { freeBags(bags); throw error }
                default:
                    continue   // as PKCS12_parse, which reads data and encrypted-data safes only
                }
                let packed = PKCS12_pack_p7data(bags)
                freeBags(bags)
                guard let packed else { return nil }
                guard OPENSSL_sk_push(plain, packed) > 0 else { PKCS7_free(packed); return nil }
            }
            guard let readable = PKCS12_add_safes(plain, 0) else { return nil }
            if let passphrase,
               passphrase.withUnsafeBufferPointer({ PKCS12_set_mac(readable, $0.baseAddress, -1, nil, 0, 1, nil) }) != 1 {
                PKCS12_free(readable)
                return nil
            }
            return readable
        }
    }

    /// The work of decrypting the shrouded key bags among `bags`, at any depth, each bounded;
    /// bags nested deeper than `maximumNesting` are refused.
    private static func keyBagCost(_ bags: OpaquePointer, depth: Int = 0) throws -> Int {
        var total = 0
        for index in 0..<OPENSSL_sk_num(bags) {
            guard let bag = OpaquePointer(OPENSSL_sk_value(bags, index)) else { continue }
            var cost = 0
            switch PKCS12_SAFEBAG_get_nid(bag) {
            case NID_pkcs8ShroudedKeyBag:
                var algorithm: UnsafePointer<X509_ALGOR>?
                X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &algorithm, nil)
                cost = try KeyDerivationCost.cost(algorithm, what: "PKCS#12 file")
            case NID_safeContentsBag:
                guard depth < maximumNesting else {
                    throw SigningError(.malformedInput, "The PKCS#12 file nests its bags more than \(maximumNesting) levels deep, which VanThu does not accept.")
                }
                if let inner = PKCS12_SAFEBAG_get0_safes(bag) { cost = try keyBagCost(inner, depth: depth + 1) }
            default:
                continue
            }
            total = saturatingSum(total, cost)
        }
        return total
    }

    static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    private static func freeBags(_ bags: OpaquePointer) {
        for index in 0..<OPENSSL_sk_num(bags) {
            PKCS12_SAFEBAG_free(OpaquePointer(OPENSSL_sk_value(bags, index)))
        }
        OPENSSL_sk_free(bags)
    }
}
