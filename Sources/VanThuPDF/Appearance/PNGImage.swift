/// A decoded non-interlaced 8-bit PNG, split into colour and alpha planes
/// for an image XObject with an /SMask.
struct PNGImage: Sendable {
    let width: Int
    let height: Int
    /// 1 (gray) or 3 (RGB) components per pixel.
    let components: Int
    let color: [UInt8]
    let alpha: [UInt8]?

    static let maxPixels = 25_000_000

    init(data: [UInt8]) throws {
        guard data.count > 8, Array(data[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw PDFError(.invalidImage, "The image is not a PNG file.")
        }
        func u32(_ at: Int) throws -> Int {
            guard at + 4 <= data.count else { throw PDFError(.invalidImage, "The PNG file is truncated.") }
            return Int(data[at]) << 24 | Int(data[at + 1]) << 16 | Int(data[at + 2]) << 8 | Int(data[at + 3])
        }
        var offset = 8
        var header: (width: Int, height: Int, depth: UInt8, colorType: UInt8, interlace: UInt8)?
        var compressed: [UInt8] = []
        var palette: [UInt8] = []
        var transparency: [UInt8] = []
        chunks: while offset + 8 <= data.count {
            let length = try u32(offset)
            let type = String(decoding: data[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let start = offset + 8
            guard length <= data.count - start else { throw PDFError(.invalidImage, "The PNG file is truncated.") }
            let body = data[start..<(start + length)]
            switch type {
            case "IHDR":
                guard length >= 13 else { throw PDFError(.invalidImage, "The PNG header is too short.") }
                header = (try u32(start), try u32(start + 4), data[start + 8], data[start + 9], data[start + 12])
            case "PLTE": palette = Array(body)
            case "tRNS": transparency = Array(body)
            case "IDAT": compressed += body
            case "IEND": break chunks
            default: break
            }
            offset = start + length + 4
        }
        guard let h = header else { throw PDFError(.invalidImage, "The PNG file has no header.") }
        guard h.width > 0, h.height > 0, h.width * h.height <= Self.maxPixels else {
            throw PDFError(.invalidImage, "The PNG image is empty or larger than \(Self.maxPixels) pixels.")
        }
        guard h.depth == 8, h.interlace == 0 else {
            throw PDFError(.invalidImage, "Only 8-bit non-interlaced PNG images are supported.")
        }
        let channels: Int
        switch h.colorType {
        case 0: channels = 1
        case 2: channels = 3
        case 3: channels = 1
        case 4: channels = 2
        case 6: channels = 4
        default: throw PDFError(.invalidImage, "The PNG image has unknown colour type \(h.colorType).")
        }
        let inflated = try compressed.withUnsafeBytes {
            try Flate.inflate($0, limit: (h.width * channels + 1) * h.height)
        }
        let pixels = try PNGPredictor.decode(inflated, columns: h.width, colors: channels, bitsPerComponent: 8)
        let count = h.width * h.height
        guard pixels.count >= count * channels else { throw PDFError(.invalidImage, "The PNG image data is truncated.") }
        width = h.width
        height = h.height
        var color: [UInt8] = []
        var alpha: [UInt8] = []
        switch h.colorType {
        case 3:
            components = 3
            color.reserveCapacity(count * 3)
            alpha.reserveCapacity(count)
            for i in 0..<count {
                let index = Int(pixels[i])
                guard index * 3 + 2 < palette.count else { throw PDFError(.invalidImage, "The PNG palette is too short.") }
                color += palette[(index * 3)..<(index * 3 + 3)]
                alpha.append(index < transparency.count ? transparency[index] : 255)
            }
        case 4, 6:
            components = channels - 1
            color.reserveCapacity(count * components)
            alpha.reserveCapacity(count)
            for i in 0..<count {
                let base = i * channels
                color += pixels[base..<(base + components)]
                alpha.append(pixels[base + components])
            }
        default:
            components = channels
            color = Array(pixels[0..<(count * channels)])
        }
        self.color = color
        self.alpha = alpha.isEmpty || alpha.allSatisfy({ $0 == 255 }) ? nil : alpha
    }

    /// Adds the image (and its soft mask) to the update and returns the image's reference.
    func add(to update: inout IncrementalUpdate) -> PDFObjectID {
        var dictionary = PDFDictionary()
        dictionary["Type"] = .name("XObject")
        dictionary["Subtype"] = .name("Image")
        dictionary["Width"] = .integer(width)
        dictionary["Height"] = .integer(height)
        dictionary["BitsPerComponent"] = .integer(8)
        dictionary["ColorSpace"] = .name(components == 3 ? "DeviceRGB" : "DeviceGray")
        dictionary["Filter"] = .name("FlateDecode")
        if let alpha {
            var mask = dictionary
            mask["ColorSpace"] = .name("DeviceGray")
            let maskID = update.allocate()
            update.set(maskID, .stream(PDFStream(dictionary: mask, data: Flate.deflate(alpha))))
            dictionary["SMask"] = .reference(maskID)
        }
        let id = update.allocate()
        update.set(id, .stream(PDFStream(dictionary: dictionary, data: Flate.deflate(color))))
        return id
    }
}
