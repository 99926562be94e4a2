/// Adds a signature field to the document's interactive form, wherever the
/// form and its /Fields array live (direct in the catalog or indirect objects).
struct AcroFormEditor {
    let document: PDFDocument
    let catalog: PDFDictionary
    /// The form's object when it is indirect.
    let formID: PDFObjectID?
    let form: PDFDictionary
    let existingFieldNames: Set<String>

    init(document: PDFDocument) throws {
        self.document = document
        catalog = try document.catalog()
        if let id = catalog["AcroForm"]?.reference {
            formID = id
            form = try document.object(id).dictionary ?? PDFDictionary()
        } else {
            formID = nil
            form = catalog["AcroForm"]?.dictionary ?? PDFDictionary()
        }
        var names = Set<String>()
        for field in try document.resolve(form["Fields"]).array ?? [] {
            if let name = try document.resolve(field).dictionary?["T"]?.text { names.insert(name) }
        }
        existingFieldNames = names
    }

    func unusedFieldName() -> String {
        var n = 1
        while existingFieldNames.contains("Signature\(n)") { n += 1 }
        return "Signature\(n)"
    }

    func addField(_ field: PDFObjectID, to update: inout IncrementalUpdate) throws {
        var form = self.form
        form["SigFlags"] = .integer(3)  // SignaturesExist | AppendOnly
        if let fieldsID = form["Fields"]?.reference {
            let fields = try document.object(fieldsID).array ?? []
            update.set(fieldsID, .array(fields + [.reference(field)]))
        } else {
            form["Fields"] = .array((form["Fields"]?.array ?? []) + [.reference(field)])
        }
        if let formID {
            update.set(formID, .dictionary(form))
        } else {
            var catalog = self.catalog
            catalog["AcroForm"] = .dictionary(form)
            update.set(document.catalogID, .dictionary(catalog))
        }
    }

    static func addAnnotation(_ annotation: PDFObjectID, toPage page: PDFObjectID, document: PDFDocument,
                              update: inout IncrementalUpdate) throws {
        guard var pageDictionary = try document.object(page).dictionary else {
            throw PDFError(.pageNotFound, "The page object \(page) is not a dictionary.")
        }
        if let annotsID = pageDictionary["Annots"]?.reference {
            let annots = try document.object(annotsID).array ?? []
            update.set(annotsID, .array(annots + [.reference(annotation)]))
        } else {
            pageDictionary["Annots"] = .array((pageDictionary["Annots"]?.array ?? []) + [.reference(annotation)])
            update.set(page, .dictionary(pageDictionary))
        }
    }
}
