/// An 8-bit image, grayscale or RGB, and its PNG encoding.
///
/// ```swift
/// var image = PNGImage(width: 2, height: 1, color: .grayscale)
/// image[0, 1] = [255]                      // row 0, column 1: white
/// let bytes = image.encoded()              // a complete .png file
/// ```
/// The encoder writes the PNG 1.2 minimum (ISO/IEC 15948): signature, IHDR (bit depth 8, color
/// type 0 or 2, no interlace), one IDAT and IEND. IDAT is a zlib stream (RFC 1950) of stored
/// deflate blocks (RFC 1951, BTYPE 00, at most 65,535 bytes each): no compression, so the file
/// is about width·height·channels bytes, which is small for sample grids of small images and
/// needs no zlib. Each scanline has filter type 0 (none). CRC-32 covers each chunk's type and
/// data; Adler-32 the uncompressed stream.
public struct PNGImage: Sendable, Equatable {
    /// The pixel layout.
    public enum Color: Sendable, Equatable {
        /// One channel (PNG color type 0).
        case grayscale
        /// Red, green, blue (PNG color type 2).
        case rgb

        /// Values per pixel.
        public var channelCount: Int { self == .grayscale ? 1 : 3 }

        var typeCode: UInt8 { self == .grayscale ? 0 : 2 }
    }

    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Grayscale or RGB.
    public let color: Color
    /// The pixels, row by row, `channelCount` values each, top row first.
    public var pixels: [UInt8]

    /// A black image.
    /// - Precondition: width and height ≥ 1.
    public init(width: Int, height: Int, color: Color) {
        precondition(width >= 1 && height >= 1, "a PNG image has at least one pixel, got \(width) × \(height)")
        self.width = width
        self.height = height
        self.color = color
        pixels = [UInt8](repeating: 0, count: width * height * color.channelCount)
    }

    /// The values of the pixel at `row`, `column` (one or three).
    public subscript(row: Int, column: Int) -> [UInt8] {
        get {
            let start = offset(row, column)
            return Array(pixels[start..<(start + color.channelCount)])
        }
        set {
            precondition(newValue.count == color.channelCount, "a pixel has \(color.channelCount) values")
            let start = offset(row, column)
            pixels.replaceSubrange(start..<(start + color.channelCount), with: newValue)
        }
    }

    private func offset(_ row: Int, _ column: Int) -> Int {
        precondition(row >= 0 && row < height && column >= 0 && column < width, "pixel (\(row), \(column)) outside")
        return (row * width + column) * color.channelCount
    }

    /// The complete PNG file.
    public func encoded() -> [UInt8] {
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, color.typeCode, 0, 0, 0]  // bit depth, color type, compression, filter, interlace
        let rowBytes = width * color.channelCount
        var scanlines: [UInt8] = []
        scanlines.reserveCapacity(height * (rowBytes + 1))
        for row in 0..<height {
            scanlines.append(0)  // filter type: none
            scanlines += pixels[(row * rowBytes)..<((row + 1) * rowBytes)]
        }
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        Self.appendChunk("IHDR", header, to: &file)
        Self.appendChunk("IDAT", Self.zlibStored(scanlines), to: &file)
        Self.appendChunk("IEND", [], to: &file)
        return file
    }

    /// A zlib stream of `data` in stored deflate blocks.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        // CMF 0x78: deflate, 32 KiB window; FLG 0x01: no dictionary, lowest level, (CMF·256 + FLG) % 31 == 0.
        var out: [UInt8] = [0x78, 0x01]
        let blockLimit = 65_535
        var start = 0
        repeat {
            let end = min(start + blockLimit, data.count)
            let length = UInt16(end - start)
            out.append(end == data.count ? 1 : 0)  // BFINAL, BTYPE 00
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += data[start..<end]
            start = end
        } while start < data.count
        out.appendBigEndian(Checksum.adler32(data))
        return out
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        file.appendBigEndian(UInt32(data.count))
        file += typeBytes
        file += data
        file.appendBigEndian(Checksum.crc32(typeBytes + data))
    }
}

/// The checksums of PNG and zlib.
enum Checksum {
    /// CRC-32 (ISO 3309, polynomial 0xEDB88320 reflected), as PNG chunks and gzip use it.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// Adler-32 (RFC 1950): two sums modulo 65,521.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        var index = 0
        while index < bytes.count {
            // 5,552 bytes keep b below 2³² before the reduction (zlib's NMAX).
            let end = min(index + 5_552, bytes.count)
            for byte in bytes[index..<end] {
                a += UInt32(byte)
                b += a
            }
            a %= 65_521
            b %= 65_521
            index = end
        }
        return b << 16 | a
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [
            UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF),
        ])
    }
}
