/// Splits a file into its revisions and classifies what each one changed.
struct RevisionAnalyzer {
    let document: PDFDocument
    /// File length at the end of each revision: after each %%EOF and its end of line.
    let revisionEnds: [Int]

    init(document: PDFDocument) {
        self.document = document
        let bytes = document.storage.bytes
        let marker = Array("%%EOF".utf8)
        var ends: [Int] = []
        for found in bytes.offsets(of: marker) {
            var end = found + marker.count
            if bytes.at(end) == 0x0D { end += 1 }
            if bytes.at(end) == 0x0A { end += 1 }
            ends.append(end)
        }
        if ends.last != bytes.count, let last = ends.last, last < bytes.count {
            // Trailing bytes after the final %%EOF belong to the last revision.
            ends[ends.count - 1] = bytes.count
        }
        revisionEnds = ends.isEmpty ? [bytes.count] : ends
    }

    /// The revisions that follow a signature ending at `signedEnd`.
    func changes(after signedEnd: Int) -> [PDFRevisionChange] {
        var boundaries = revisionEnds.filter { $0 > signedEnd }
        if boundaries.last != document.byteCount { boundaries.append(document.byteCount) }
        var changes: [PDFRevisionChange] = []
        var previousEnd = signedEnd
        for end in boundaries {
            do {
                let before = try document.revision(endingAt: previousEnd)
                let after = end == document.byteCount ? document : try document.revision(endingAt: end)
                changes.append(try RevisionDiff(before: before, after: after).classify(endOffset: end))
            } catch {
                changes.append(PDFRevisionChange(endOffset: end, kind: .content, changes: ["the revision cannot be read: \(error)"]))
            }
            previousEnd = end
        }
        return changes
    }
}

/// Compares two revisions object by object.
struct RevisionDiff {
    let before: PDFDocument
    let after: PDFDocument

    /// Catalog keys that signing and form filling may change.
    static let permittedCatalogKeys: Set<String> = ["AcroForm", "DSS", "Perms", "Extensions", "Metadata", "Version"]

    func classify(endOffset: Int) throws -> PDFRevisionChange {
        let catalogID = before.catalogID
        let formID = try before.catalog()["AcroForm"]?.reference
        let infoID = before.trailer["Info"]?.reference
        var annotationArrays = Set<PDFObjectID>()
        var pages = Set<PDFObjectID>()
        for page in try before.pageIDs() {
            pages.insert(page)
            if let annots = try before.object(page).dictionary?["Annots"]?.reference { annotationArrays.insert(annots) }
        }
        if let formID, let fields = try before.object(formID).dictionary?["Fields"]?.reference {
            annotationArrays.insert(fields)
        } else if let fields = try before.catalog()["AcroForm"]?.dictionary?["Fields"]?.reference {
            annotationArrays.insert(fields)
        }

        var kind = PDFRevisionChange.Kind.signature
        var lines: [String] = []
        func note(_ k: PDFRevisionChange.Kind, _ line: String) {
            kind = max(kind, k)
            lines.append(line)
        }
        for number in after.objectNumbers {
            let newEntry = after.entry(number)
            let oldEntry = before.entry(number)
            if newEntry == oldEntry, case .inFile? = newEntry { continue }
            let id = idFor(number, entry: newEntry)
            let new = try after.object(id)
            let old = try before.object(id)
            if try same(old, new) { continue }
            let type = new.dictionary?["Type"]?.name
            if type == "XRef" || type == "ObjStm" { continue }
            if old == .null {
                // New objects matter only through what refers to them, checked below;
                // a new signature or annotation is named for the report.
                if type == "Sig" || type == "DocTimeStamp" { note(.signature, "new signature \(id)") }
                else if type == "Annot" && new.dictionary?["FT"]?.name != "Sig" { note(.annotation, "new annotation \(id)") }
                continue
            }
            if new == .null {
                note(.content, "object \(id) removed")
            } else if id == catalogID {
                let oldD = old.dictionary ?? PDFDictionary(), newD = new.dictionary ?? PDFDictionary()
                if oldD.removing(Self.permittedCatalogKeys) == newD.removing(Self.permittedCatalogKeys) {
                    note(.signature, "catalog: interactive form")
                } else {
                    note(.content, "catalog \(id) changed")
                }
            } else if id == formID || id == infoID {
                note(id == infoID ? .annotation : .signature, id == infoID ? "document information \(id)" : "interactive form \(id)")
            } else if pages.contains(id) {
                let oldD = old.dictionary ?? PDFDictionary(), newD = new.dictionary ?? PDFDictionary()
                if oldD.removing(["Annots"]) == newD.removing(["Annots"]) {
                    note(.signature, "page \(id): /Annots")
                } else {
                    note(.content, "page \(id) changed (content, resources or attributes)")
                }
            } else if annotationArrays.contains(id), let oldA = old.array, let newA = new.array, newA.starts(with: oldA) {
                note(.signature, "array \(id): entries appended")
            } else if old.dictionary?["Type"]?.name == "Annot" || old.dictionary?["Subtype"]?.name == "Widget" {
                note(.annotation, "annotation \(id) changed")
            } else {
                note(.content, "object \(id) changed")
            }
        }
        // A revision that only added a signature's bookkeeping without a new signature
        // dictionary is an annotation or form change.
        if kind == .signature && !lines.contains(where: { $0.hasPrefix("new signature") }) { kind = .annotation }
        return PDFRevisionChange(endOffset: endOffset, kind: kind, changes: lines)
    }

    private func idFor(_ number: Int, entry: CrossReferenceEntry?) -> PDFObjectID {
        if case .inFile(_, let generation)? = entry { return PDFObjectID(number, generation) }
        return PDFObjectID(number, 0)
    }

    /// Equal values; streams compare by dictionary and raw bytes, wherever they are stored.
    private func same(_ a: PDFObject, _ b: PDFObject) throws -> Bool {
        if case .stream(let sa) = a, case .stream(let sb) = b {
            return sa.dictionary.removing(["Length"]) == sb.dictionary.removing(["Length"])
                && before.rawData(of: sa) == after.rawData(of: sb)
        }
        return a == b
    }
}
