import COpenSSL

/// An X.509 name, its attribute values decoded to NFC UTF-8 whatever their ASN.1 string type.
public struct DistinguishedName: Sendable, Hashable, Codable, CustomStringConvertible {
    public struct Attribute: Sendable, Hashable, Codable {
        /// Short name such as `CN`, `O`, `L`, `C`, `title`, `UID`, or the dotted OID when OpenSSL has none.
        public let type: String
        public let oid: String
        /// The text, or RFC 4514 §2.4's `#` and the hexadecimal DER of the value when the type is
        /// unknown or the value is no string OpenSSL can convert to UTF-8 (a SEQUENCE, a BIT
        /// STRING): never an empty string standing for a value that is not empty.
        public let value: String
    }

    /// Attributes in certificate order: most significant (usually `C`) first.
    public let attributes: [Attribute]
    /// How many attributes each RDN holds, in certificate order; empty when every RDN holds one,
    /// as nearly every name does.
    let rdnSizes: [Int]
    /// Indices of the attributes whose `value` is the `#hex` form rather than text.
    let hexValued: Set<Int>
    /// RFC 4514 order (least significant first), as DSS and most validators print names; the
    /// attributes of a multi-valued RDN joined with `+`. Computed once: reports print the same
    /// names many times.
    public let description: String
    /// The name to show a person: see `displayName`. Computed once, like `description`.
    public let displayName: String?

    public init(attributes: [Attribute]) {
        self.init(attributes: attributes, rdnSizes: [], hexValued: [])
    }

    init(attributes: [Attribute], rdnSizes: [Int], hexValued: Set<Int>) {
        self.attributes = attributes
        // Sizes that do not add up to the attributes would print another name: ignore them.
        self.rdnSizes = rdnSizes.reduce(0, +) == attributes.count && rdnSizes.contains(where: { $0 != 1 }) ? rdnSizes : []
        self.hexValued = hexValued
        let printed = attributes.indices.map { index in
            let attribute = attributes[index]
            let value = hexValued.contains(index) ? attribute.value : Self.escape(attribute.value)
            return "\(attribute.type)=\(value)"
        }
        if self.rdnSizes.isEmpty {
            description = printed.reversed().joined(separator: ", ")
        } else {
            var groups: [String] = []
            var start = 0
            for size in self.rdnSizes {
                groups.append(printed[start..<start + size].joined(separator: "+"))
                start += size
            }
            description = groups.reversed().joined(separator: ", ")
        }
        displayName = Self.displayName(attributes, description: description)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(attributes: try container.decode([Attribute].self, forKey: .attributes),
                  rdnSizes: try container.decodeIfPresent([Int].self, forKey: .rdnSizes) ?? [],
                  hexValued: try container.decodeIfPresent(Set<Int>.self, forKey: .hexValued) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(attributes, forKey: .attributes)
        if !rdnSizes.isEmpty { try container.encode(rdnSizes, forKey: .rdnSizes) }
        if !hexValued.isEmpty { try container.encode(hexValued.sorted(), forKey: .hexValued) }
    }

    private enum CodingKeys: String, CodingKey { case attributes, rdnSizes, hexValued }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.attributes == rhs.attributes && lhs.rdnSizes == rhs.rdnSizes && lhs.hexValued == rhs.hexValued
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(attributes) }

    public func first(_ type: String) -> String? { attributes.first { $0.type == type }?.value }
    /// The most specific non-empty CN: the last in certificate order, which RFC 4514 prints
    /// first. A name such as `C=VN, CN=Sở GD, CN=Vũ Thị Hoa` names the person, not the office.
    public var commonName: String? { Self.mostSpecific("CN", attributes) }
    public var organization: String? { first("O") }

    /// What a person should read as the name: the most specific non-empty CN, else the most
    /// specific non-empty O, else the whole RFC 4514 name; nil for an empty name (RFC 5280
    /// allows one when the subjectAltName names the subject; `Certificate.displayName` then
    /// falls back to it).
    static func displayName(_ attributes: [Attribute], description: String) -> String? {
        mostSpecific("CN", attributes) ?? mostSpecific("O", attributes) ?? (description.isEmpty ? nil : description)
    }

    private static func mostSpecific(_ type: String, _ attributes: [Attribute]) -> String? {
        attributes.last { $0.type == type && !$0.value.isEmpty }?.value
    }

    private static func escape(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            if ",+\"\\<>;=".unicodeScalars.contains(scalar)
                || (index == 0 && (scalar == "#" || scalar == " "))
                || (index == scalars.count - 1 && scalar == " ") {
                out.append("\\")
            }
            out.append(scalar)
        }
        return String(out)
    }

    init(x509Name name: OpaquePointer?) {
        guard let name else { self.init(attributes: []); return }
        var attributes: [Attribute] = []
        var rdnSizes: [Int] = []
        var hexValued: Set<Int> = []
        var lastSet: Int32 = -1
        for index in 0..<X509_NAME_entry_count(name) {
            guard let entry = X509_NAME_get_entry(name, index) else { continue }
            let object = X509_NAME_ENTRY_get_object(entry)
            let nid = OBJ_obj2nid(object)
            let oid = String(objectName: object, numeric: true)
            let type = nid != NID_undef ? OBJ_nid2sn(nid).map { String(cString: $0) } ?? oid : oid
            // RFC 4514 §2.4: a type without a short name is printed with its value's DER in
            // hexadecimal, and so is a value that is no character string.
            var value = nid != NID_undef ? String(asn1String: X509_NAME_ENTRY_get_data(entry)) : nil
            if value == nil {
                value = Self.hexValue(entry)
                hexValued.insert(attributes.count)
            }
            attributes.append(Attribute(type: type, oid: oid, value: value ?? "#"))
            // Entries of one multi-valued RDN share their set number.
            let set = X509_NAME_ENTRY_set(entry)
            if set == lastSet, !rdnSizes.isEmpty { rdnSizes[rdnSizes.count - 1] += 1 } else { rdnSizes.append(1) }
            lastSet = set
        }
        self.init(attributes: attributes, rdnSizes: rdnSizes, hexValued: hexValued)
    }

    /// `#` and the hexadecimal DER of an entry's value: the entry is SEQUENCE { type, value }.
    private static func hexValue(_ entry: OpaquePointer) -> String {
        guard let der = encodeDER({ i2d_X509_NAME_ENTRY(entry, $0) }),
              let sequence = DER.element(der, at: 0, end: der.count),
              let type = DER.element(der, at: sequence.valueStart, end: sequence.end),
              let value = DER.element(der, at: type.end, end: sequence.end) else { return "#" }
        return "#" + der[value.whole].hexString
    }
}
