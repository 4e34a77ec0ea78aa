import Foundation
import ScoreKitCore
import Testing

/// `--set` values read as recipe files do, within the same limits, and tensor file headers
/// that would overflow or overlap are refused before anything is allocated.
@Suite struct InputLimitsTests {
    static func value(_ argument: String) throws -> ConfigurationValue {
        try ConfigurationOverride(parsing: argument).value
    }

    static func reason(_ argument: String) -> String? {
        do {
            _ = try ConfigurationOverride(parsing: argument)
            return nil
        } catch {
            guard case .invalidOverride(_, let reason) = error else { return "\(error)" }
            return reason
        }
    }

    @Test("plain scalars on the command line read as in a file: 0x10, 0o17, comments")
    func plainScalarsAgreeWithFiles() throws {
        #expect(try Self.value("seed=0x10") == 16)
        #expect(try Self.value("seed=0o17") == 15)
        #expect(try Self.value("seed=017") == 17)
        #expect(try Self.value("seed=0x1G") == "0x1G")
        #expect(try Self.value("seed=1 # the usual") == 1)
        #expect(try Self.value("seed=# nothing") == .null())
        #expect(try Self.value("name=a#b") == "a#b")
        #expect(try Self.value("name=\"a # b\" # c") == "a # b")
        #expect(try Self.value("widths=[1, 2] # two") == [1, 2])
        #expect(try Self.value("widths=[0x10, 0o10, 1e1]") == [16, 8, 10.0])
    }

    @Test("--set values and paths obey the depth, node and length limits")
    func overrideLimits() throws {
        let deepest = String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000)
        #expect(Self.reason("x=" + deepest) == nil)
        let tooDeep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        #expect(Self.reason("x=" + tooDeep)?.contains("more than 1,000 levels deep") == true)
        let path = Array(repeating: "a", count: 10_000).joined(separator: ".")
        #expect(
            Self.reason(path + "=1")
                == "the path '\(ConfigurationLimitsText.shortPath)' has 10,000 parts; the limit is 1,000")
        let long = String(repeating: "x", count: 5_000)
        #expect(Self.reason("name=" + long)?.contains("is longer than the limit of 4,096 bytes") == true)
        #expect(Self.reason("name=[\"" + long + "\"]")?.contains("4,096 bytes") == true)
        let many = "[" + Array(repeating: "1", count: 100_001).joined(separator: ",") + "]"
        #expect(Self.reason("x=" + many)?.contains("more than 100,000 nodes") == true)
    }

    @Test("a shape whose size overflows is refused, naming the file")
    func numPyShapeOverflow() {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let bytes =
            [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
            + Array(header.utf8) + [UInt8](repeating: 0, count: 16)
        #expect(throws: TensorFileError.self) { _ = try NumPyFile.decode(bytes, path: "x.npy") }
        do {
            _ = try NumPyFile.decode(bytes, path: "x.npy")
        } catch {
            #expect(
                error.description.hasPrefix("x.npy: error: not a valid .npy file: the shape 4611686018427387904 × 4"))
        }
    }

    static func safetensors(_ header: String, dataBytes: Int) -> [UInt8] {
        let json = Array(header.utf8)
        let n = UInt64(json.count)
        return (0..<8).map { UInt8((n >> (8 * UInt64($0))) & 0xFF) } + json + [UInt8](repeating: 0, count: dataBytes)
    }

    static func safetensorsError(_ header: String, dataBytes: Int) -> String? {
        do {
            _ = try SafeTensorsFile.decode(safetensors(header, dataBytes: dataBytes), path: "c.safetensors")
            return nil
        } catch {
            return error.description
        }
    }

    @Test("safetensors headers: overflow, overlaps, ranges, duplicate keys, dtypes")
    func safeTensorsHeaders() {
        let entry = { (name: String, shape: String, range: String) in
            #""\#(name)":{"dtype":"F32","shape":\#(shape),"data_offsets":\#(range)}"#
        }
        #expect(
            Self.safetensorsError(
                "{" + entry("a", "[4]", "[0,16]") + "," + entry("b", "[2]", "[16,24]") + "}", dataBytes: 24) == nil)
        #expect(
            Self.safetensorsError("{" + entry("w", "[4611686018427387904,4]", "[0,16]") + "}", dataBytes: 16)?
                .contains("tensor 'w' has the shape 4611686018427387904 × 4") == true)
        #expect(
            Self.safetensorsError(
                "{" + entry("a", "[4]", "[0,16]") + "," + entry("b", "[4]", "[8,24]") + "}", dataBytes: 24)?
                .contains("the data of tensors 'a' (bytes 0..<16) and 'b' (bytes 8..<24) overlap") == true)
        #expect(
            Self.safetensorsError("{" + entry("a", "[4]", "[16,32]") + "}", dataBytes: 16)?
                .contains("tensor 'a' claims bytes 16..<32, beyond the 16 data bytes") == true)
        #expect(
            Self.safetensorsError("{" + entry("a", "[0]", "[16,0]") + "}", dataBytes: 16)?
                .contains("ends before it begins") == true)
        #expect(
            Self.safetensorsError(
                "{" + entry("a", "[4]", "[0,16]") + "," + entry("a", "[2]", "[0,8]") + "}", dataBytes: 16)?
                .contains("the header has the key 'a' twice") == true)
        #expect(
            Self.safetensorsError(
                #"{"a":{"dtype":"F32","dtype":"F64","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 16)?
                .contains("the key 'dtype' twice in the entry for tensor 'a'") == true)
        #expect(
            Self.safetensorsError(#"{"a":{"dtype":"F7","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 16)?
                .contains("tensor 'a' has the unknown dtype 'F7'") == true)
        #expect(
            Self.safetensorsError(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,1e30]}}"#, dataBytes: 16)?
                .contains("not whole numbers") == true)
    }

    @Test("non-finite values are named by row and column")
    func nonFinite() {
        var values = [Float](repeating: 1, count: 6)
        values[5] = .infinity
        #expect(throws: TensorFileError.nonFinite(path: "x.npy", row: 2, column: 1, value: .infinity)) {
            try NumPyFile.requireFinite(Tensor(values, shape: [3, 2]), path: "x.npy")
        }
    }
}

/// The path of 10,000 `a`s as override messages shorten it.
private enum ConfigurationLimitsText {
    static let shortPath = String(repeating: "a.", count: 30) + "… (19,999 bytes)"
}
