extension PDFDocument {
    /// The page objects in order, walking the page tree with loop detection.
    public func pageIDs() throws -> [PDFObjectID] {
        guard let root = try catalog()["Pages"]?.reference else {
            throw PDFError(.pageNotFound, "The PDF's catalog has no page tree.")
        }
        var pages: [PDFObjectID] = []
        var visited = Set<PDFObjectID>()
        try walk(root, depth: 0, visited: &visited, pages: &pages)
        return pages
    }

    private func walk(_ id: PDFObjectID, depth: Int, visited: inout Set<PDFObjectID>, pages: inout [PDFObjectID]) throws {
        guard visited.insert(id).inserted else {
            throw PDFError(.referenceLoop, "The page tree refers back to node \(id).")
        }
        guard depth <= limits.maxNestingDepth, pages.count <= limits.maxPages else {
            throw PDFError.limit("the page tree is deeper than \(limits.maxNestingDepth) levels or has more than \(limits.maxPages) pages")
        }
        guard let node = try object(id).dictionary else { return }
        let type = node["Type"]?.name
        if type == "Pages" || (type == nil && node["Kids"] != nil) {
            for kid in try resolve(node["Kids"]).array ?? [] {
                if let kidID = kid.reference { try walk(kidID, depth: depth + 1, visited: &visited, pages: &pages) }
            }
        } else {
            pages.append(id)
        }
    }

    /// A page attribute, inherited from ancestors when the page lacks it (§7.7.3.4).
    public func inheritedAttribute(_ key: String, of page: PDFObjectID) throws -> PDFObject? {
        var current: PDFObjectID? = page
        var steps = 0
        while let id = current, steps <= limits.maxNestingDepth {
            guard let node = try object(id).dictionary else { return nil }
            if let value = node[key] { return try resolve(value) }
            current = node["Parent"]?.reference
            steps += 1
        }
        return nil
    }

    /// The page's crop box (or media box) as [x0, y0, x1, y1].
    public func visibleBox(of page: PDFObjectID) throws -> PDFRectangle {
        let box = try inheritedAttribute("CropBox", of: page) ?? inheritedAttribute("MediaBox", of: page)
        let numbers = try (box?.array ?? []).map { try resolve($0).number ?? 0 }
        guard numbers.count == 4 else { return PDFRectangle(x: 0, y: 0, width: 595.28, height: 841.89) }
        return PDFRectangle(x: min(numbers[0], numbers[2]), y: min(numbers[1], numbers[3]),
                            width: abs(numbers[2] - numbers[0]), height: abs(numbers[3] - numbers[1]))
    }
}

/// A rectangle in PDF user space (points, origin bottom left).
public struct PDFRectangle: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    var pdfArray: PDFObject {
        .array([.real(x), .real(y), .real(x + width), .real(y + height)])
    }
}
