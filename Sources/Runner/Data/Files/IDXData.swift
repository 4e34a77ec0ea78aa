public import ScoreKitCore

/// Images (and labels) in the IDX format of MNIST and Fashion-MNIST, one row per image.
///
/// ```yaml
/// data: { kind: idx, path: mnist/train-images-idx3-ubyte, labelsPath: mnist/train-labels-idx1-ubyte, labelled: true }
/// ```
/// `scaling` maps a byte b to b/255 ∈ [0, 1] (`unit`), b/127.5 − 1 ∈ [−1, 1] (`symmetric`,
/// DDPM's convention) or leaves it (`none`); `dequantization: uniform` adds U[−½, ½) to each
/// byte first. A file of unsigned bytes `[N, H, W]` is a set of grayscale images `[1, H, W]`
/// (`DataSet.image`: PNG grids, 256 levels); other files are flattened rows. Files must be
/// uncompressed (`gunzip` them).
public struct IDXData: DataSource {
    /// How pixel values are rescaled.
    public typealias Scaling = PixelScaling

    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// The IDX file of images (`train-images-idx3-ubyte`).
        public var path = ""
        /// The IDX file of labels (`train-labels-idx1-ubyte`); empty for none.
        public var labelsPath = ""
        /// How pixel values are rescaled.
        public var scaling = Scaling.unit
        /// Uniform noise within each byte's bin (for likelihoods), or none.
        public var dequantization = Dequantization.none

        public init() {}

        public func validate() throws(ConfigurationError) {
            try DataFileChecks.validatePath(path, key: "path", what: "an IDX file of images")
        }
    }

    /// The settings it was made from.
    public let configuration: Configuration

    /// The data set these settings describe.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var providesLabels: Bool { !configuration.labelsPath.isEmpty }

    /// Images when the file holds unsigned bytes [N, H, W], known once its header is read.
    public var sampleLayout: SampleLayout { .determinedByFile }

    public func load(seed: UInt64) throws(DataError) -> DataSet {
        let c = configuration
        let (images, typeCode) = try IDXFile.read(c.path, role: "IDX images file")
        let raw = try DataFileChecks.flattened(images, path: c.path, format: "IDX")
        var image: ImageFormat?
        if typeCode == 0x08, images.rank == 3 {
            image = ImageFormat(shape: [1, images.shape[1], images.shape[2]], levelCount: 256, scaling: c.scaling)
        }
        let format = image ?? ImageFormat(shape: [1, 1, raw.shape[1]], levelCount: 256, scaling: c.scaling)
        let samples = format.samples(levels: raw, dequantization: c.dequantization, seed: seed)
        try DataFileChecks.requireFinite(samples, path: c.path, format: "IDX")
        guard providesLabels else { return DataSet(samples: samples, image: image) }
        let (values, _) = try IDXFile.read(c.labelsPath, role: "IDX labels file")
        guard values.rank == 1 else {
            throw .invalidLabels(
                path: c.labelsPath, reason: "expected a 1-dimensional IDX file of labels, found shape \(values.shape)")
        }
        let (labels, classCount) = try DataFileChecks.labels(
            values.scalars, path: c.labelsPath, sampleCount: samples.shape[0])
        return DataSet(samples: samples, labels: labels, classCount: classCount, image: image)
    }
}

extension IDXData: RegisteredComponent {
    public static let id: ComponentID = "idx"
    public static let summary = "MNIST-style IDX images and labels, scaled to [0, 1] or [−1, 1]"
}

/// The IDX format (LeCun et al., MNIST): big-endian header, then the values in C order.
///
/// ```
/// 0x00 0x00 <type> <rank>   then rank 4-byte big-endian sizes, then the data (big-endian)
/// type: 0x08 unsigned byte, 0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
/// ```
enum IDXFile {
    /// The array in the file at `path` as Float32, and the file's type code.
    static func read(_ path: String, role: String) throws(DataError) -> (Tensor, UInt8) {
        let bytes = try DataError.readFile(path, role: role)
        return (try decode(bytes, path: path), bytes[2])
    }

    /// The array in IDX `bytes`; `path` names the file in errors.
    static func decode(_ bytes: [UInt8], path: String) throws(DataError) -> Tensor {
        func malformed(
            _ reason: String, _ hint: String = "the file may be truncated or corrupted; download it again"
        )
            -> DataError
        {
            .malformed(path: path, format: "IDX", reason: reason, hint: hint)
        }
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
            throw malformed("the file is gzip-compressed", "decompress it first, for example with gunzip")
        }
        guard bytes.count >= 4 else {
            throw malformed("the file has \(bytes.count) bytes; an IDX header needs at least 4")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            let magic = bytes[0..<4].map { String($0, radix: 16, uppercase: true) }.map {
                $0.count == 1 ? "0" + $0 : $0
            }
            throw malformed(
                "wrong magic number 0x\(magic.joined()); an IDX file starts with two zero bytes, a type code and the rank",
                "is this an MNIST-style IDX file such as train-images-idx3-ubyte?")
        }
        let size: Int
        switch bytes[2] {
        case 0x08, 0x09: size = 1
        case 0x0B: size = 2
        case 0x0C, 0x0D: size = 4
        case 0x0E: size = 8
        default:
            throw malformed(
                "unknown type code 0x\(String(bytes[2], radix: 16, uppercase: true))",
                "IDX type codes are 0x08 (unsigned byte), 0x09, 0x0B, 0x0C, 0x0D and 0x0E")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw malformed("the header declares 0 dimensions") }
        let dataStart = 4 + 4 * rank
        guard bytes.count >= dataStart else {
            throw malformed("the header declares \(rank) dimensions but the file ends after \(bytes.count) bytes")
        }
        let shape = (0..<rank).map { d in
            (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * d + $1]) }
        }
        let available = bytes.count - dataStart
        let dims = FileSizes.describe(shape)
        guard let sizes = FileSizes.byteCount(shape: shape, elementSize: size) else {
            throw malformed(
                "the header declares \(dims) values, more bytes than fit in memory, but the file has \(available) data bytes"
            )
        }
        let (count, byteCount) = sizes
        guard available == byteCount else {
            throw malformed(
                "the header declares \(dims) values of \(size) byte\(size == 1 ? "" : "s") (\(byteCount) bytes) but the file has \(available) data bytes"
            )
        }
        let code = bytes[2]
        return Tensor(shape: shape) { out in
            for i in 0..<count {
                let o = dataStart + i * size
                switch code {
                case 0x08: out[i] = Float(bytes[o])
                case 0x09: out[i] = Float(Int8(bitPattern: bytes[o]))
                case 0x0B: out[i] = Float(Int16(bitPattern: UInt16(bytes[o]) << 8 | UInt16(bytes[o + 1])))
                case 0x0C: out[i] = Float(Int32(bitPattern: bigEndian32(bytes, o)))
                case 0x0D: out[i] = Float(bitPattern: bigEndian32(bytes, o))
                default:
                    out[i] = Float(
                        Double(bitPattern: UInt64(bigEndian32(bytes, o)) << 32 | UInt64(bigEndian32(bytes, o + 4))))
                }
            }
        }
    }

    private static func bigEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }
}
