import Foundation
import ScoreKitCore
import Testing

@Suite struct TensorFileTests {
    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "scorekit-test-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
    }

    @Test func npyRoundTrip() throws {
        let path = Self.temporaryPath("a.npy")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for shape in [[5], [2, 3], [2, 1, 4], []] {
            let t = Tensor.arange(0, Float(Tensor.elementCount(of: shape))).reshaped(shape) * 0.5 - 1
            try NumPyFile.write(t, to: path)
            #expect(try NumPyFile.read(path) == t)
        }
    }

    @Test func npyHeaderIsAlignedAndNumPyShaped() {
        let bytes = NumPyFile.encode(Tensor.zeros([3, 2]))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"))
        #expect(header.hasSuffix("\n"))
    }

    /// A float64 array as NumPy writes it, decoded to Float32.
    @Test func readsFloat64() throws {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"
        header += String(repeating: " ", count: 64 - (10 + header.count + 1) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count), 0] + Array(header.utf8)
        for v in [1.5, -2.25] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        #expect(try NumPyFile.decode(bytes, path: "x.npy") == Tensor([1.5, -2.25]))
    }

    @Test func malformedNpyGivesLocatedErrors() {
        let good = NumPyFile.encode(Tensor([1, 2, 3]))
        #expect(throws: TensorFileError.self) { try NumPyFile.decode(Array(good.dropLast(2)), path: "cut.npy") }
        #expect(throws: TensorFileError.self) { try NumPyFile.decode(Array("hello".utf8), path: "text.npy") }
        do {
            _ = try NumPyFile.decode(Array(good.dropLast(4)), path: "cut.npy")
            Issue.record("a truncated file decoded")
        } catch {
            #expect(
                "\(error)".hasPrefix(
                    "cut.npy: error: not a valid .npy file: the shape [3] needs 12 data bytes, the file has 8"))
        }
        #expect(throws: TensorFileError.unreadable(path: "/nonexistent/x.npy", reason: "no such file")) {
            try NumPyFile.read("/nonexistent/x.npy")
        }
    }

    @Test func fortranOrderIsRefusedWithAHint() {
        var bytes = NumPyFile.encode(Tensor([1, 2]))
        let word = Array("False".utf8)
        let offset = (0...(bytes.count - word.count)).first { Array(bytes[$0..<($0 + word.count)]) == word }!
        bytes.replaceSubrange(offset..<(offset + 5), with: Array("True ".utf8))
        do {
            _ = try NumPyFile.decode(bytes, path: "f.npy")
            Issue.record("Fortran order accepted")
        } catch {
            #expect("\(error)".contains("numpy.ascontiguousarray"))
        }
    }

    @Test func safetensorsRoundTripWithMetadata() throws {
        let path = Self.temporaryPath("m.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = SafeTensorsFile(
            tensors: ["b": Tensor([1, 2, 3]), "a.weight": Tensor.linspace(0, 1, count: 6).reshaped([2, 3])],
            metadata: ["step": "12", "recipe": "sde: {kind: ve}"])
        try file.write(to: path)
        let read = try SafeTensorsFile.read(path)
        #expect(read.tensors == file.tensors)
        #expect(read.metadata == file.metadata)
        let bytes = try FileIO.read(path)
        var n = 0
        for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
        #expect(n % 8 == 0)
    }

    @Test func corruptSafetensorsAreErrorsNotCrashes() throws {
        let bytes = SafeTensorsFile(tensors: ["w": Tensor([1, 2, 3, 4])]).encoded()
        for cut in [0, 4, 8, 20, bytes.count - 3] {
            #expect(throws: TensorFileError.self) {
                try SafeTensorsFile.decode(Array(bytes.prefix(cut)), path: "c.safetensors")
            }
        }
        var garbled = bytes
        garbled[9] = 0x7B
        garbled[10] = 0x7B
        #expect(throws: TensorFileError.self) { try SafeTensorsFile.decode(garbled, path: "g.safetensors") }
        let file = try SafeTensorsFile.decode(bytes, path: "ok.safetensors")
        #expect(throws: TensorFileError.missingTensor(path: "ok.safetensors", name: "v", available: ["w"])) {
            try file.tensor("v", path: "ok.safetensors")
        }
    }

    /// An F16 tensor as PyTorch would store it: normal, negative, subnormal, infinite, NaN.
    @Test func halfPrecisionDecoding() throws {
        var json = Array(#"{"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]}}"#.utf8)
        json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
        var bytes: [UInt8] = []
        for i in 0..<8 { bytes.append(UInt8((json.count >> (8 * i)) & 0xFF)) }
        bytes += json
        for h: UInt16 in [0x3C00, 0xC000, 0x0001, 0x7C00, 0x7E00] { bytes += [UInt8(h & 0xFF), UInt8(h >> 8)] }
        let values = try SafeTensorsFile.decode(bytes, path: "h.safetensors").tensor("h").scalars
        #expect(Array(values[0..<4]) == [1, -2, 0x1p-24, .infinity])
        #expect(values[4].isNaN)
    }
}
