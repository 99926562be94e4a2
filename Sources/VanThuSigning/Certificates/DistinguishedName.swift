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

    public init(attributes: [Attribute]) { self.attributes = attributes }

    public func first(_ type: String) -> String? { attributes.first { $0.type == type }?.value }
    public var commonName: String? { first("CN") }
    public var organization: String? { first("O") }

    /// RFC 4514 order (least significant first), as DSS and most validators print names.
    public var description: String {
        attributes.reversed().map { "\($0.type)=\(Self.escape($0.value))" }.joined(separator: ", ")
    }

    private static func escape(_ value: String) -> String {
        var out = ""
        for (index, character) in value.enumerated() {
            if ",+\"\\<>;=".contains(character)
                || (index == 0 && (character == "#" || character == " "))
                || (index == value.count - 1 && character == " ") {
                out.append("\\")
            }
            out.append(character)
        }
        return out
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
