#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
        case .organisationSeal(let seal):
            return try sealAppearance(seal, update: &update)
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

    /// Where the parts of a signer's appearance go, in the widget's own space.
    struct SignerLayout {
        let width: Double
        let height: Double
        let fontSize: Double
        let leading: Double
        let titleBaselines: [Double]
        let nameBaseline: Double
        /// The band between title and name for the signature image.
        let imageArea: PDFRectangle

        init(_ signer: PDFSignerAppearance) {
            width = signer.rectangle.width
            self.height = signer.rectangle.height
            let height = signer.rectangle.height
            let fontSize = min(13, height / Double(signer.titleLines.count + 4) / 1.2)
            let leading = fontSize * 1.2
            self.fontSize = fontSize
            self.leading = leading
            titleBaselines = signer.titleLines.indices.map { height - leading * Double($0 + 1) }
            let imageTop = height - leading * Double(signer.titleLines.count) - fontSize * 0.2
            let imageBottom = leading * 1.2
            nameBaseline = leading * 0.4
            imageArea = PDFRectangle(x: 0, y: imageBottom, width: width, height: max(0, imageTop - imageBottom))
        }

        /// The signature image scaled to fit the band, centred, keeping its aspect ratio;
        /// the middle third of the band when there is no image.
        func signatureFrame(imageWidth: Int?, imageHeight: Int?) -> PDFRectangle {
            guard let w = imageWidth, let h = imageHeight, w > 0, h > 0 else {
                return PDFRectangle(x: width / 3, y: imageArea.y, width: width / 3, height: imageArea.height)
            }
            let scale = min(imageArea.width / Double(w), imageArea.height / Double(h))
            let fw = Double(w) * scale, fh = Double(h) * scale
            return PDFRectangle(x: imageArea.x + (imageArea.width - fw) / 2, y: imageArea.y + (imageArea.height - fh) / 2, width: fw, height: fh)
        }

        /// The seal: a little taller than the band, its right edge a third into the signature image.
        func sealFrame(signature: PDFRectangle, sealWidth: Int, sealHeight: Int) -> PDFRectangle {
            let side = min(imageArea.height * 1.15, height)
            let scale = side / Double(max(sealWidth, sealHeight))
            let w = Double(sealWidth) * scale, h = Double(sealHeight) * scale
            return PDFRectangle(x: signature.x + signature.width / 3 - w, y: imageArea.y + (imageArea.height - h) / 2, width: w, height: h)
        }
    }

    /// Title lines, signature image, name.
    static func signerAppearance(_ signer: PDFSignerAppearance, update: inout IncrementalUpdate) throws -> Placed {
        let rect = signer.rectangle
        guard rect.width > 0, rect.height > 0 else {
            throw PDFError(.signingFailed, "The signature rectangle must have a positive width and height.")
        }
        var font = EmbeddedFont(try TrueTypeFont(file: signer.font))
        let layout = SignerLayout(signer)
        var content = "q\n0 g\n"
        func centred(_ text: String, baseline: Double) throws {
            let x = max(0, (rect.width - font.width(of: text, size: layout.fontSize)) / 2)
            content += "BT /F1 \(n(layout.fontSize)) Tf \(n(x)) \(n(baseline)) Td \(try font.encode(text)) Tj ET\n"
        }
        for (line, baseline) in zip(signer.titleLines, layout.titleBaselines) { try centred(line, baseline: baseline) }
        try centred(signer.name, baseline: layout.nameBaseline)
        var resources = PDFDictionary()
        if let png = signer.signatureImagePNG {
            let image = try PNGImage(data: png)
            let frame = layout.signatureFrame(imageWidth: image.width, imageHeight: image.height)
            resources["XObject"] = .dictionary(PDFDictionary(["Sig": .reference(image.add(to: &update))]))
            content += "q \(n(frame.width)) 0 0 \(n(frame.height)) \(n(frame.x)) \(n(frame.y)) cm /Sig Do Q\n"
        }
        content += "Q\n"
        resources["Font"] = .dictionary(PDFDictionary(["F1": .reference(try font.add(to: &update))]))
        let id = update.allocate()
        update.set(id, .stream(form(width: rect.width, height: rect.height, resources: resources, content: Array(content.utf8))))
        return Placed(rectangle: rect, appearanceStream: id)
    }

    /// The seal image alone, in its own widget over the left third of the signer's image.
    static func sealAppearance(_ seal: PDFSealAppearance, update: inout IncrementalUpdate) throws -> Placed {
        let layout = SignerLayout(seal.signer)
        let signatureImage = try seal.signer.signatureImagePNG.map { try PNGImage(data: $0) }
        let signature = layout.signatureFrame(imageWidth: signatureImage?.width, imageHeight: signatureImage?.height)
        let image = try PNGImage(data: seal.sealImagePNG)
        let frame = layout.sealFrame(signature: signature, sealWidth: image.width, sealHeight: image.height)
        let resources = PDFDictionary(["XObject": .dictionary(PDFDictionary(["Seal": .reference(image.add(to: &update))]))])
        let content = "q \(n(frame.width)) 0 0 \(n(frame.height)) 0 0 cm /Seal Do Q\n"
        let id = update.allocate()
        update.set(id, .stream(form(width: frame.width, height: frame.height, resources: resources, content: Array(content.utf8))))
        let origin = seal.signer.rectangle
        return Placed(rectangle: PDFRectangle(x: origin.x + frame.x, y: origin.y + frame.y, width: frame.width, height: frame.height),
                      appearanceStream: id)
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
            content += "BT /F1 \(n(size)) Tf \(n(padding)) \(n(baseline)) Td \(try font.encode(line)) Tj ET\n"
        }
        content += "Q\n"
        let fontID = try font.add(to: &update)
        let resources = PDFDictionary(["Font": .dictionary(PDFDictionary(["F1": .reference(fontID)]))])
        let id = update.allocate()
        update.set(id, .stream(form(width: width, height: height, resources: resources, content: Array(content.utf8))))
        return Placed(rectangle: rect, appearanceStream: id)
    }
}
