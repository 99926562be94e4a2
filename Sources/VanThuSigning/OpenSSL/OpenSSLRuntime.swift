import COpenSSL
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Process-wide OpenSSL set-up, done once before any concurrent use.
enum OpenSSLRuntime {
    /// Loads the default provider and, where installed, the legacy one: PKCS#12 files
    /// exported by older Windows tools are still protected with RC2-40. Both are loaded here,
    /// once, before any concurrent use: loading a provider while other threads fetch
    /// algorithms is not safe in OpenSSL 3.0 (openssl/openssl#17633).
    ///
    /// OpenSSL is also told not to clean itself up at exit: a process that exits while a
    /// pool thread still holds an OpenSSL object (a token key released after the command
    /// finished) would otherwise have that thread take a lock the atexit handler already freed,
    /// and crash (seen with `vanthu sign --pkcs11` while another process used the token).
    static let ready: Void = {
        OPENSSL_init_crypto(UInt64(OPENSSL_INIT_LOAD_CRYPTO_STRINGS) | UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
        _ = OSSL_PROVIDER_load(nil, "default")
        _ = OSSL_PROVIDER_try_load(nil, "legacy", 1)
        ERR_clear_error()
    }()
}

/// OpenSSL's per-thread error queue. Every function that calls OpenSSL reads it
/// on the same thread, inside the same synchronous call, as the failing call.
enum OpenSSLErrorQueue {
    static func drain() -> [String] { drainEntries().map(\.message) }

    /// The queue's entries with their packed OpenSSL error codes, emptied in the process.
    static func drainEntries() -> [(code: UInt, message: String)] {
        var messages: [(code: UInt, message: String)] = []
        while true {
            var data: UnsafePointer<CChar>?
            var flags: Int32 = 0
            let code = vt_err_get(&data, &flags)
            if code == 0 { break }
            var text = ERR_reason_error_string(code).map { String(cString: $0) } ?? "error \(code)"
            if let data, flags & ERR_TXT_STRING != 0 {
                let extra = String(cString: data)
                if !extra.isEmpty { text += " (\(extra))" }
            }
            messages.append((code: UInt(code), message: text))
        }
        return messages
    }

    static func clear() { ERR_clear_error() }

    /// A `SigningError` carrying the queue's content, emptied in the process.
    static func error(_ code: SigningError.Code, _ message: String) -> SigningError {
        SigningError(code, message, details: drain())
    }
}

/// A read-only memory BIO over Swift bytes, alive only inside `body`.
func withMemoryBIO<R>(_ bytes: [UInt8], _ body: (OpaquePointer) throws -> R) rethrows -> R {
    try bytes.withUnsafeBytes { raw in
        // BIO_new_mem_buf wants a non-null pointer even for empty input.
        let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        let bio = BIO_new_mem_buf(base, Int32(raw.count))!
        defer { BIO_free(bio) }
        return try body(bio)
    }
}

/// The bytes an OpenSSL writer puts into a fresh memory BIO.
func collectBIO(_ write: (OpaquePointer) -> Bool) -> [UInt8]? {
    guard let bio = BIO_new(BIO_s_mem()) else { return nil }
    defer { BIO_free(bio) }
    guard write(bio) else { return nil }
    var base: UnsafePointer<CChar>?
    let length = vt_bio_mem_contents(bio, &base)
    guard length >= 0, let base else { return length == 0 ? [] : nil }
    return base.withMemoryRebound(to: UInt8.self, capacity: length) {
        Array(UnsafeBufferPointer(start: $0, count: length))
    }
}

/// DER encoding through an `i2d_…` function.
func encodeDER(_ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) -> [UInt8]? {
    let length = encode(nil)
    guard length > 0 else { return nil }
    var out = [UInt8](repeating: 0, count: Int(length))
    let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
        var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
        return encode(&cursor)
    }
    return written == length ? out : nil
}

/// Runs an OpenSSL `d2i_…` function over DER bytes: `decode(&cursor, length)`.
func decodeDER<R>(_ bytes: ArraySlice<UInt8>, _ decode: (UnsafeMutablePointer<UnsafePointer<UInt8>?>, Int) -> R) -> R {
    bytes.withUnsafeBufferPointer { buffer in
        var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
        return decode(&cursor, buffer.count)
    }
}

extension Date {
    /// Converts an ASN.1 UTCTime or GeneralizedTime.
    init?(asn1Time time: UnsafePointer<ASN1_TIME>?) {
        guard let time else { return nil }
        var broken = tm()
        guard ASN1_TIME_to_tm(time, &broken) == 1 else { return nil }
        self.init(timeIntervalSince1970: TimeInterval(timegm(&broken)))
    }

    var unixTime: time_t { time_t(timeIntervalSince1970.rounded(.down)) }
}

extension String {
    /// Text of an ASN.1 string converted to UTF-8, as OpenSSL decodes BMP, Universal and T61 strings.
    init?(asn1String string: UnsafePointer<ASN1_STRING>?) {
        guard let string else { return nil }
        // Some CAs put UTF-8 bytes in a TeletexString or PrintableString, which OpenSSL reads as
        // Latin-1 ("Nguyá»…n" for "Nguyễn"). Such bytes, when they hold a multi-byte UTF-8
        // sequence and are valid UTF-8 throughout, are read as UTF-8: Latin-1 names almost never
        // form valid UTF-8 sequences, and a Vietnamese name read as Latin-1 is unreadable.
        let type = ASN1_STRING_type(string)
        if type == V_ASN1_T61STRING || type == V_ASN1_PRINTABLESTRING, let data = ASN1_STRING_get0_data(string) {
            let bytes = UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(string)))
            if bytes.contains(where: { $0 >= 0x80 }), let text = String(validating: bytes, as: UTF8.self) {
                self = String(decoding: text._nfcCodeUnits, as: UTF8.self)
                return
            }
        }
        var out: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&out, string)
        guard length >= 0, let out else { return nil }
        defer { vt_openssl_free(out) }
        let buffer = UnsafeBufferPointer(start: out, count: Int(length))
        let text = String(decoding: buffer, as: UTF8.self)
        // NFC through the standard library's own normalisation (the tables String comparison
        // uses), so that the signing core needs neither Foundation's ICU nor CoreFoundation.
        self = buffer.allSatisfy { $0 < 0x80 } ? text : String(decoding: text._nfcCodeUnits, as: UTF8.self)
    }

    init(objectName object: OpaquePointer?, numeric: Bool = false) {
        var buffer = [CChar](repeating: 0, count: 128)
        let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, numeric ? 1 : 0)
        self = length > 0 ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown"
    }
}
