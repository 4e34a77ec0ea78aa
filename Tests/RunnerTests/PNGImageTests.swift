import Foundation
import Testing

@testable import ScoreKitRunner

/// A PNG file read back: chunks with checked CRCs, the zlib stream's stored blocks inflated and
/// its Adler-32 checked, filter bytes removed. Reads only what `PNGImage` writes.
struct DecodedPNG {
    var width = 0
    var height = 0
    var colorType: UInt8 = 0
    var pixels: [UInt8] = []

    init(_ bytes: [UInt8]) throws {
        try #require(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var position = 8
        var stream: [UInt8] = []
        var types: [String] = []
        while position < bytes.count {
            let length = Int(Self.bigEndian(bytes, position))
            let typeAndData = Array(bytes[(position + 4)..<(position + 8 + length)])
            try #require(Self.bigEndian(bytes, position + 8 + length) == Checksum.crc32(typeAndData), "chunk CRC")
            let type = String(decoding: typeAndData.prefix(4), as: UTF8.self)
            types.append(type)
            let data = Array(typeAndData.dropFirst(4))
            if type == "IHDR" {
                width = Int(Self.bigEndian(data, 0))
                height = Int(Self.bigEndian(data, 4))
                try #require(data[8] == 8)
                colorType = data[9]
            } else if type == "IDAT" {
                stream += data
            }
            position += 12 + length
        }
        try #require(types.first == "IHDR" && types.last == "IEND")
        try #require(stream.count >= 6 && (Int(stream[0]) * 256 + Int(stream[1])) % 31 == 0 && stream[0] & 0x0F == 8)
        var inflated: [UInt8] = []
        var p = 2
        while true {
            let header = stream[p]
            try #require(header & 0b110 == 0, "stored blocks only")
            let length = Int(stream[p + 1]) | Int(stream[p + 2]) << 8
            let complement = Int(stream[p + 3]) | Int(stream[p + 4]) << 8
            try #require(length ^ 0xFFFF == complement)
            inflated += stream[(p + 5)..<(p + 5 + length)]
            p += 5 + length
            if header & 1 == 1 { break }
        }
        try #require(Self.bigEndian(stream, p) == Checksum.adler32(inflated) && p + 4 == stream.count)
        let channels = colorType == 2 ? 3 : 1
        let rowBytes = width * channels
        try #require(inflated.count == height * (rowBytes + 1))
        for row in 0..<height {
            try #require(inflated[row * (rowBytes + 1)] == 0, "filter type none")
            pixels += inflated[(row * (rowBytes + 1) + 1)..<((row + 1) * (rowBytes + 1))]
        }
    }

    static func bigEndian(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }
}

@Suite("PNGImage")
struct PNGImageTests {
    @Test("CRC-32 and Adler-32 give the published check values")
    func checksums() {
        #expect(Checksum.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Checksum.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(Checksum.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Checksum.adler32([]) == 1)
        // Past zlib's 5,552-byte block the sums must still be reduced correctly.
        let long = [UInt8](repeating: 255, count: 100_000)
        var (a, b): (UInt64, UInt64) = (1, 0)
        for byte in long {
            a = (a + UInt64(byte)) % 65_521
            b = (b + a) % 65_521
        }
        #expect(Checksum.adler32(long) == UInt32(b << 16 | a))
    }

    @Test("grayscale: header, one stored block, pixels read back")
    func grayscale() throws {
        var image = PNGImage(width: 3, height: 2, color: .grayscale)
        image[0, 1] = [255]
        image[1, 2] = [7]
        let decoded = try DecodedPNG(image.encoded())
        #expect(decoded.width == 3 && decoded.height == 2 && decoded.colorType == 0)
        #expect(decoded.pixels == [0, 255, 0, 0, 0, 7])
    }

    @Test("RGB larger than one stored block (65,535 bytes) reads back whole")
    func rgbManyBlocks() throws {
        var image = PNGImage(width: 200, height: 150, color: .rgb)
        for i in image.pixels.indices { image.pixels[i] = UInt8(truncatingIfNeeded: i &* 31 &+ i / 7) }
        let bytes = image.encoded()
        let decoded = try DecodedPNG(bytes)
        #expect(decoded.colorType == 2 && decoded.pixels == image.pixels)
        #expect(image[149, 199] == Array(image.pixels.suffix(3)))
        // 90,150 bytes of scanlines in two stored blocks: 5 bytes each, plus signature, chunks, zlib.
        #expect(bytes.count == 8 + 25 + 12 + (2 + 2 * 5 + 150 * 601 + 4) + 12)
    }
}
