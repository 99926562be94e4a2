#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// VanThuPDF uses FoundationEssentials, not Foundation: the whole of Foundation
// (with ICU) costs a process about 7 MiB more resident memory, which matters
// for signing on officials' machines and for the memory goal next to pyHanko.

extension String {
    /// Unicode NFC, as VanThu stores all text.
    var nfc: String {
        var bytes: [UInt8] = []
        _withNFCCodeUnits { bytes.append($0) }
        return String(decoding: bytes, as: UTF8.self)
    }

}

/// Upper-case hexadecimal, zero-padded to `width` digits.
func hexDigits(_ value: Int, width: Int) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// Decimal, zero-padded to `width` digits.
func decimalDigits(_ value: Int, width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// A mutex for the document caches; pthread-based so it needs no Foundation.
final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
