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
