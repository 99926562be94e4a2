/// Walks the interactive form's field tree for signed signature fields.
enum SignatureFieldFinder {
    struct Field {
        var name: String
        var signature: PDFDictionary
        /// The signature dictionary's object, when it is indirect.
        var signatureID: PDFObjectID?
    }

    static func signatures(in document: PDFDocument) throws -> [Field] {
        let catalog = try document.catalog()
        guard let form = try document.resolve(catalog["AcroForm"]).dictionary else { return [] }
        var found: [Field] = []
        var visited = Set<PDFObjectID>()
        for field in try document.resolve(form["Fields"]).array ?? [] {
            try visit(field, parentName: nil, inheritedType: nil, depth: 0, document: document, visited: &visited, found: &found)
        }
        return found
    }

    private static func visit(
        _ object: PDFObject, parentName: String?, inheritedType: String?, depth: Int, document: PDFDocument,
        visited: inout Set<PDFObjectID>, found: inout [Field]
    ) throws {
        if let id = object.reference {
            guard visited.insert(id).inserted else {
                throw PDFError(.referenceLoop, "The form's field tree refers back to field \(id).")
            }
        }
        guard depth <= document.limits.maxNestingDepth else {
            throw PDFError.limit("form fields nest deeper than \(document.limits.maxNestingDepth) levels")
        }
        guard let field = try document.resolve(object).dictionary else { return }
        let partial = field["T"]?.text
        let name = [parentName, partial].compactMap { $0 }.joined(separator: ".")
        let type = field["FT"]?.name ?? inheritedType
        if let kids = try document.resolve(field["Kids"]).array {
            for kid in kids {
                try visit(kid, parentName: name.isEmpty ? nil : name, inheritedType: type, depth: depth + 1,
                          document: document, visited: &visited, found: &found)
            }
        }
        guard type == "Sig", let value = field["V"] else { return }
        guard let signature = try document.resolve(value).dictionary else { return }
        found.append(Field(name: name, signature: signature, signatureID: value.reference))
    }
}
