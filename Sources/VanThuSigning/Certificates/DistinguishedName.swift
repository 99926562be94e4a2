import COpenSSL

/// An X.509 name, its attribute values decoded to NFC UTF-8 whatever their ASN.1 string type.
public struct DistinguishedName: Sendable, Hashable, Codable, CustomStringConvertible {
    public struct Attribute: Sendable, Hashable, Codable {
        /// Short name such as `CN`, `O`, `L`, `C`, `title`, `UID`, or the dotted OID when OpenSSL has none.
        public let type: String
        public let oid: String
        public let value: String
    }

    /// Attributes in certificate order: most significant (usually `C`) first.
    public let attributes: [Attribute]
    /// RFC 4514 order (least significant first), as DSS and most validators print names.
    /// Computed once: reports print the same names many times.
    public let description: String

    public init(attributes: [Attribute]) {
        self.attributes = attributes
        description = attributes.reversed().map { "\($0.type)=\(Self.escape($0.value))" }.joined(separator: ", ")
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(attributes: try container.decode([Attribute].self, forKey: .attributes))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(attributes, forKey: .attributes)
    }

    private enum CodingKeys: String, CodingKey { case attributes }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.attributes == rhs.attributes }
    public func hash(into hasher: inout Hasher) { hasher.combine(attributes) }

    public func first(_ type: String) -> String? { attributes.first { $0.type == type }?.value }
    public var commonName: String? { first("CN") }
    public var organization: String? { first("O") }

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
        for index in 0..<X509_NAME_entry_count(name) {
            guard let entry = X509_NAME_get_entry(name, index) else { continue }
            let object = X509_NAME_ENTRY_get_object(entry)
            let nid = OBJ_obj2nid(object)
            let oid = String(objectName: object, numeric: true)
            let type = nid != NID_undef ? OBJ_nid2sn(nid).map { String(cString: $0) } ?? oid : oid
            let value = String(asn1String: X509_NAME_ENTRY_get_data(entry)) ?? ""
            attributes.append(Attribute(type: type, oid: oid, value: value))
        }
        self.init(attributes: attributes)
    }
}
