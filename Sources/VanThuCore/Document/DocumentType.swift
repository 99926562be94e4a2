import Foundation

/// A type of administrative document from Decree 30/2020/NĐ-CP, Appendix III.
///
/// `code` is what the API and CLI take. It is the abbreviation that goes into the document symbol,
/// except for công văn (`CV`) and thư công (`TCG`), which have none in symbols. Codes are compared
/// exactly after NFC normalisation: ĐA (đề án) and DA (dự án) are different types.
public struct DocumentType: Sendable, Codable, Hashable {
    public let code: String
    public let name: String
    /// The abbreviation in the symbol, nil for công văn and thư công.
    public let symbolAbbreviation: String?

    public init(code: String, name: String, symbolAbbreviation: String?) {
        self.code = code
        self.name = name
        self.symbolAbbreviation = symbolAbbreviation
    }
}

public enum DocumentTypeCatalogue {
    public static let all: [DocumentType] = [
        ("NQ", "Nghị quyết"), ("QĐ", "Quyết định"), ("CT", "Chỉ thị"), ("QC", "Quy chế"),
        ("QyĐ", "Quy định"), ("TC", "Thông cáo"), ("TB", "Thông báo"), ("HD", "Hướng dẫn"),
        ("CTr", "Chương trình"), ("KH", "Kế hoạch"), ("PA", "Phương án"), ("ĐA", "Đề án"),
        ("DA", "Dự án"), ("BC", "Báo cáo"), ("BB", "Biên bản"), ("TTr", "Tờ trình"),
        ("HĐ", "Hợp đồng"), ("PC", "Phiếu chuyển"), ("CĐ", "Công điện"), ("BGN", "Bản ghi nhớ"),
        ("BTT", "Bản thỏa thuận"), ("GUQ", "Giấy ủy quyền"), ("GM", "Giấy mời"),
        ("GGT", "Giấy giới thiệu"), ("GNP", "Giấy nghỉ phép"), ("PG", "Phiếu gửi"), ("PB", "Phiếu báo"),
        ("SY", "Bản sao y"), ("TrS", "Bản trích sao"), ("SL", "Bản sao lục"),
    ].map { DocumentType(code: $0.0, name: $0.1, symbolAbbreviation: $0.0) } + [
        DocumentType(code: "CV", name: "Công văn", symbolAbbreviation: nil),
        DocumentType(code: "TCG", name: "Thư công", symbolAbbreviation: nil),
    ]

    private static let byCode: [String: DocumentType] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    /// The type with exactly this code (after NFC normalisation), or nil.
    public static func type(code: String) -> DocumentType? {
        byCode[code.precomposedStringWithCanonicalMapping]
    }
}
