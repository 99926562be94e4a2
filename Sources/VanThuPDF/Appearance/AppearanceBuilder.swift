import Foundation

/// Builds the widget rectangle and appearance stream of a signature per
/// Decree 30, Appendix I.
enum AppearanceBuilder {
    struct Placed {
        var rectangle: PDFRectangle
        var appearanceStream: PDFObjectID
    }

    static func build(
        _ appearance: PDFSignatureAppearance, signingTime: Date, pageBox: PDFRectangle, update: inout IncrementalUpdate
    ) throws -> Placed {
        switch appearance {
        case .invisible:
            let id = update.allocate()
            update.set(id, .stream(form(width: 0, height: 0, resources: PDFDictionary(), content: [])))
            return Placed(rectangle: PDFRectangle(x: 0, y: 0, width: 0, height: 0), appearanceStream: id)
        case .signer(let signer):
            return try signerAppearance(signer, update: &update)
        case .attachmentStamp(let stamp):
            return try stampAppearance(stamp, signingTime: signingTime, pageBox: pageBox, update: &update)
        }
    }

    private static func form(width: Double, height: Double, resources: PDFDictionary, content: [UInt8]) -> PDFStream {
        PDFStream(dictionary: PDFDictionary([
            "Type": .name("XObject"), "Subtype": .name("Form"),
            "BBox": .array([.integer(0), .integer(0), .real(width), .real(height)]),
            "Resources": .dictionary(resources), "Filter": .name("FlateDecode"),
        ]), data: Flate.deflate(content))
    }

    private static func n(_ value: Double) -> String { ObjectSerializer.format(value) }

    /// Title lines, signature image, name; the seal over the image's left third.
    static func signerAppearance(_ signer: PDFSignerAppearance, update: inout IncrementalUpdate) throws -> Placed {
        let rect = signer.rectangle
        guard rect.width > 0, rect.height > 0 else {
            throw PDFError(.signingFailed, "The signature rectangle must have a positive width and height.")
        }
        var font = EmbeddedFont(try TrueTypeFont(file: signer.font))
        let textLines = signer.titleLines.count + 1
        let fontSize = min(13, rect.height / Double(textLines + 3) / 1.2)
        let leading = fontSize * 1.2
        var content = "q\n0 g\n"
        func centred(_ text: String, baseline: Double) {
            let x = max(0, (rect.width - font.width(of: text, size: fontSize)) / 2)
            content += "BT /F1 \(n(fontSize)) Tf \(n(x)) \(n(baseline)) Td \(font.encode(text)) Tj ET\n"
        }
        var baseline = rect.height - leading
        for line in signer.titleLines {
            centred(line, baseline: baseline)
            baseline -= leading
        }
        let imageTop = baseline + fontSize * 0.2
        let imageBottom = leading * 1.2
        centred(signer.name, baseline: leading * 0.4)

        var xObjects = PDFDictionary()
        let area = PDFRectangle(x: 0, y: imageBottom, width: rect.width, height: max(0, imageTop - imageBottom))
        var signatureFrame = PDFRectangle(x: rect.width / 3, y: area.y, width: rect.width / 3, height: area.height)
        if let png = signer.signatureImagePNG {
            let image = try PNGImage(data: png)
            signatureFrame = fit(image, in: area)
            xObjects["Sig"] = .reference(image.add(to: &update))
            content += "q \(n(signatureFrame.width)) 0 0 \(n(signatureFrame.height)) \(n(signatureFrame.x)) \(n(signatureFrame.y)) cm /Sig Do Q\n"
        }
        if let png = signer.sealImagePNG {
            let image = try PNGImage(data: png)
            // The seal is drawn after (over) the signature, its right edge a third into the signature.
            let side = min(area.height * 1.15, rect.height)
            let scale = side / Double(max(image.width, image.height))
            let width = Double(image.width) * scale, height = Double(image.height) * scale
            let x = max(0, signatureFrame.x + signatureFrame.width / 3 - width)
            let y = area.y + (area.height - height) / 2
            xObjects["Seal"] = .reference(image.add(to: &update))
            content += "q \(n(width)) 0 0 \(n(height)) \(n(x)) \(n(y)) cm /Seal Do Q\n"
        }
        content += "Q\n"
        let fontID = font.add(to: &update)
        var resources = PDFDictionary(["Font": .dictionary(PDFDictionary(["F1": .reference(fontID)]))])
        if !xObjects.entries.isEmpty { resources["XObject"] = .dictionary(xObjects) }
        let id = update.allocate()
        update.set(id, .stream(form(width: rect.width, height: rect.height, resources: resources, content: Array(content.utf8))))
        return Placed(rectangle: rect, appearanceStream: id)
    }

    /// The image scaled to fit `area`, centred, keeping its aspect ratio.
    private static func fit(_ image: PNGImage, in area: PDFRectangle) -> PDFRectangle {
        let scale = min(area.width / Double(image.width), area.height / Double(image.height))
        let width = Double(image.width) * scale, height = Double(image.height) * scale
        return PDFRectangle(x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width: width, height: height)
    }

    /// Number and symbol and signing time, 10 pt black, at the top right of the page.
    static func stampAppearance(
        _ stamp: PDFAttachmentStamp, signingTime: Date, pageBox: PDFRectangle, update: inout IncrementalUpdate
    ) throws -> Placed {
        var font = EmbeddedFont(try TrueTypeFont(file: stamp.font))
        let size = 10.0, leading = 12.0, padding = 4.0, margin = 20.0
        var lines: [String] = []
        if let organisation = stamp.organisation { lines.append(organisation) }
        lines.append("Số: \(stamp.numberAndSymbol)")
        lines.append("Thời gian ký: \(PDFDate.iso8601Vietnam(signingTime))")
        let width = (lines.map { font.width(of: $0, size: size) }.max() ?? 0) + 2 * padding
        let height = Double(lines.count) * leading + 2 * padding
        let rect = PDFRectangle(x: pageBox.x + pageBox.width - width - margin, y: pageBox.y + pageBox.height - height - margin,
                                width: width, height: height)
        var content = "q\n0 g\n"
        for (i, line) in lines.enumerated() {
            let baseline = height - padding - Double(i + 1) * leading + (leading - size) / 2 + 1
            content += "BT /F1 \(n(size)) Tf \(n(padding)) \(n(baseline)) Td \(font.encode(line)) Tj ET\n"
        }
        content += "Q\n"
        let fontID = font.add(to: &update)
        let resources = PDFDictionary(["Font": .dictionary(PDFDictionary(["F1": .reference(fontID)]))])
        let id = update.allocate()
        update.set(id, .stream(form(width: width, height: height, resources: resources, content: Array(content.utf8))))
        return Placed(rectangle: rect, appearanceStream: id)
    }
}
