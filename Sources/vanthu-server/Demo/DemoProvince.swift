import Foundation
import VanThuCore

/// The demo province: Thanh Hóa's education sector with invented agency codes (no published list
/// exists). Deterministic, so that seeding twice changes nothing.
struct DemoProvince {
    struct Org {
        let code: String
        let name: String
        let abbreviation: String
        let kind: OrganisationKind
        let parent: String?
        var divisions: [(name: String, abbreviation: String)] = []
    }

    struct Person {
        let org: String
        let username: String
        let fullName: String
        let title: String
        let role: Role
        var division: String? = nil
    }

    static let departmentCode = "000.00.31.H56"

    static let districts: [(name: String, kindWord: String)] = [
        ("Thanh Hóa", "thành phố"), ("Sầm Sơn", "thành phố"), ("Bỉm Sơn", "thị xã"), ("Nghi Sơn", "thị xã"),
        ("Hoằng Hóa", "huyện"), ("Quảng Xương", "huyện"), ("Đông Sơn", "huyện"), ("Thọ Xuân", "huyện"),
        ("Triệu Sơn", "huyện"), ("Hậu Lộc", "huyện"),
    ]

    /// Names that schools across the province carry (historical figures), seven per district office.
    static let schoolNames = [
        "Trần Mai Ninh", "Lê Lợi", "Nguyễn Du", "Quang Trung", "Lý Thường Kiệt", "Nguyễn Trãi", "Hùng Vương",
        "Lê Quý Đôn", "Chu Văn An", "Đinh Tiên Hoàng", "Trần Hưng Đạo", "Ngô Quyền", "Hai Bà Trưng", "Bà Triệu",
        "Lê Hồng Phong", "Phan Bội Châu", "Nguyễn Văn Trỗi", "Kim Đồng", "Võ Thị Sáu", "Tô Hiến Thành", "Lương Thế Vinh",
    ]

    static let upperSecondary = [
        "Lam Sơn", "Đào Duy Từ", "Hàm Rồng", "Nguyễn Trãi", "Tô Hiến Thành", "Đông Sơn 1", "Đông Sơn 2", "Hoằng Hóa 2",
        "Hoằng Hóa 3", "Hoằng Hóa 4", "Lương Đắc Bằng", "Quảng Xương 1", "Quảng Xương 2", "Đặng Thai Mai", "Sầm Sơn",
        "Nguyễn Thị Lợi", "Bỉm Sơn", "Lê Hồng Phong", "Tĩnh Gia 1", "Tĩnh Gia 2", "Nghi Sơn", "Lê Lợi", "Lê Văn Hưu",
        "Thọ Xuân 4", "Thọ Xuân 5", "Triệu Sơn 1", "Triệu Sơn 2", "Triệu Sơn 3", "Hậu Lộc 1", "Hậu Lộc 2", "Hậu Lộc 4",
        "Đinh Chương Dương", "Hà Trung", "Hoàng Lệ Kha", "Nga Sơn", "Mai Anh Tuấn", "Vĩnh Lộc", "Tống Duy Tân",
        "Yên Định 1", "Yên Định 2",
    ]

    static let centres = [
        "Trung tâm Giáo dục thường xuyên tỉnh Thanh Hóa", "Trung tâm Hỗ trợ phát triển giáo dục hòa nhập",
        "Trung tâm Ngoại ngữ - Tin học", "Trung tâm Kỹ thuật tổng hợp - Hướng nghiệp", "Trường Trung cấp Thể dục Thể thao",
        "Trường Phổ thông Dân tộc nội trú tỉnh", "Trường Phổ thông Dân tộc nội trú Ngọc Lặc", "Trường Trung học phổ thông chuyên Lam Sơn (cơ sở 2)",
        "Ban Quản lý dự án ngành Giáo dục",
    ]

    static func abbreviation(_ prefix: String, _ name: String) -> String {
        prefix + name.split(separator: " ").compactMap { $0.first(where: { $0.isLetter || $0.isNumber }).map(String.init) }.joined().uppercased()
    }

    static var organisations: [Org] {
        var orgs: [Org] = [Org(
            code: departmentCode, name: "Sở Giáo dục và Đào tạo tỉnh Thanh Hóa", abbreviation: "SGDĐT", kind: .department, parent: nil,
            divisions: [("Văn phòng", "VP"), ("Phòng Giáo dục Trung học", "GDTrH"), ("Phòng Giáo dục Tiểu học", "GDTH"),
                        ("Phòng Giáo dục Mầm non", "GDMN"), ("Phòng Tổ chức cán bộ", "TCCB"), ("Phòng Kế hoạch - Tài chính", "KHTC"),
                        ("Phòng Khảo thí và Kiểm định chất lượng giáo dục", "KTKĐ"), ("Thanh tra", "TTr")])]
        for (i, d) in districts.enumerated() {
            let z = String(format: "%02d", i + 1)
            let office = "000.\(z).31.H56"
            orgs.append(Org(code: office, name: "Phòng Giáo dục và Đào tạo \(d.kindWord) \(d.name)", abbreviation: "PGDĐT",
                            kind: .districtOffice, parent: departmentCode, divisions: [("Văn phòng", "VP"), ("Bộ phận chuyên môn", "CM")]))
            for (j, level) in [("Trường THCS", "THCS"), ("Trường Tiểu học", "TH"), ("Trường Mầm non", "MN")].enumerated() {
                for k in 0..<7 {
                    let nameIndex = (i * 7 + k) % schoolNames.count
                    let serial = j * 7 + k + 1
                    let name = "\(level.0) \(schoolNames[nameIndex])"
                    orgs.append(Org(code: String(format: "%03d.\(z).31.H56", serial), name: name,
                                    abbreviation: abbreviation(level.1, schoolNames[nameIndex]), kind: .school, parent: office,
                                    divisions: [("Tổ Văn phòng", "VP"), ("Tổ Toán - Tin", "TT"), ("Tổ Ngữ văn", "NV")]))
                }
            }
        }
        for (i, name) in upperSecondary.enumerated() {
            orgs.append(Org(code: String(format: "000.%02d.31.H56", 11 + i), name: "Trường THPT \(name)",
                            abbreviation: abbreviation("THPT", name), kind: .unit, parent: departmentCode,
                            divisions: [("Tổ Văn phòng", "VP"), ("Tổ Toán", "T")]))
        }
        for (i, name) in centres.enumerated() {
            orgs.append(Org(code: String(format: "000.%02d.31.H56", 11 + upperSecondary.count + i), name: name,
                            abbreviation: abbreviation("", name.replacingOccurrences(of: "-", with: "")), kind: .unit, parent: departmentCode,
                            divisions: [("Văn phòng", "VP")]))
        }
        return orgs
    }

    /// The people of the development PKI (Keys/dev-pki.sh issues their certificates), then one
    /// leader and one clerk for every other organisation, and a specialist per district office.
    static var people: [Person] {
        let dept = departmentCode
        let city = "000.01.31.H56"
        let tmn = "001.01.31.H56"
        var list: [Person] = [
            Person(org: dept, username: "admin", fullName: "Phan Minh Quân", title: "Quản trị hệ thống", role: .admin, division: "Văn phòng"),
            Person(org: dept, username: "hung.nv", fullName: "Nguyễn Văn Hùng", title: "Giám đốc", role: .leader),
            Person(org: dept, username: "lan.tt", fullName: "Trần Thị Lan", title: "Phó Giám đốc", role: .leader),
            Person(org: dept, username: "huy.lq", fullName: "Lê Quang Huy", title: "Trưởng phòng Giáo dục Trung học", role: .head, division: "Phòng Giáo dục Trung học"),
            Person(org: dept, username: "huong.pt", fullName: "Phạm Thị Hương", title: "Chuyên viên", role: .specialist, division: "Phòng Giáo dục Trung học"),
            Person(org: dept, username: "mai.dt", fullName: "Đỗ Thị Mai", title: "Văn thư", role: .clerk, division: "Văn phòng"),
            Person(org: dept, username: "tung.dv", fullName: "Đặng Văn Tùng", title: "Chuyên viên", role: .specialist, division: "Phòng Tổ chức cán bộ"),
            Person(org: city, username: "nam.hv", fullName: "Hoàng Văn Nam", title: "Trưởng phòng", role: .leader),
            Person(org: city, username: "hoa.vt", fullName: "Vũ Thị Hoa", title: "Văn thư", role: .clerk, division: "Văn phòng"),
            Person(org: tmn, username: "thang.bd", fullName: "Bùi Đức Thắng", title: "Hiệu trưởng", role: .leader),
            Person(org: tmn, username: "thu.nt", fullName: "Ngô Thị Thu", title: "Văn thư", role: .clerk, division: "Tổ Văn phòng"),
        ]
        let named: Set<String> = [dept, city, tmn]
        var n = 0
        for org in organisations where !named.contains(org.code) {
            let leaderTitle: String
            switch org.kind {
            case .department: leaderTitle = "Giám đốc"
            case .districtOffice: leaderTitle = "Trưởng phòng"
            case .school: leaderTitle = "Hiệu trưởng"
            case .unit: leaderTitle = org.name.hasPrefix("Trường") ? "Hiệu trưởng" : "Giám đốc"
            }
            var roles: [(Role, String, String?)] = [(.leader, leaderTitle, nil), (.clerk, "Văn thư", org.divisions.first?.name)]
            if org.kind == .districtOffice { roles.append((.specialist, "Chuyên viên", "Bộ phận chuyên môn")) }
            for (role, title, division) in roles {
                let name = fullName(n)
                list.append(Person(org: org.code, username: username(name, org.code), fullName: name, title: title, role: role, division: division))
                n += 1
            }
        }
        return list
    }

    static let familyNames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Mai", "Trịnh", "Lương"]
    static let middleNames = ["Văn", "Thị", "Đức", "Minh", "Quang", "Thu", "Ngọc", "Hữu", "Thanh", "Xuân"]
    static let givenNames = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hòa", "Khánh", "Linh", "Long",
                             "Nga", "Phúc", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến", "Hằng", "Thủy", "Đạt", "Nhung"]

    static func fullName(_ i: Int) -> String {
        "\(familyNames[i % familyNames.count]) \(middleNames[(i / 3) % middleNames.count]) \(givenNames[(i * 7) % givenNames.count])"
    }

    /// `linh.nv.0040131` style: given name, initials, then the organisation code's digits, ASCII only.
    static func username(_ fullName: String, _ code: String) -> String {
        let parts = fullName.split(separator: " ").map { ascii(String($0)).lowercased() }
        let initials = parts.dropLast().compactMap(\.first).map(String.init).joined()
        let digits = code.filter(\.isNumber)
        return "\(parts.last!).\(initials).\(digits)"
    }

    static func ascii(_ s: String) -> String {
        s.replacingOccurrences(of: "Đ", with: "D").replacingOccurrences(of: "đ", with: "d")
            .applyingTransform(.stripDiacritics, reverse: false) ?? s
    }
}
