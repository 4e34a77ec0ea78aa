import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// `.npy`, `.csv` and IDX data: what they read, and the one-paragraph error of every malformed case.
@Suite("Data files")
struct DataFileTests {
    /// The bytes of an IDX file: type code, sizes, payload.
    static func idxFile(type: UInt8 = 0x08, shape: [Int], payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for size in shape { bytes += [24, 16, 8, 0].map { UInt8((size >> $0) & 0xFF) } }
        return bytes + payload
    }

    /// A float64 `.npy` file of `values` with `shape`.
    static func npyFloat64(_ values: [Double], shape: [Int]) -> [UInt8] {
        let shapeText = "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shapeText), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var bytes: [UInt8] =
            [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        for v in values { bytes += (0..<8).map { UInt8((v.bitPattern >> (8 * UInt64($0))) & 0xFF) } }
        return bytes
    }

    // MARK: Reading

    @Test(".npy: float32 and float64 samples, flattened per sample, labels from another .npy")
    func numpy() throws {
        let dir = try folder(with: [
            "x64.npy": Self.npyFloat64([1, 2, 3, 4, 5, 6], shape: [3, 2]),
            "images.npy": NumPyFile.encode(Tensor([1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 2, 2])),
            "labels.npy": NumPyFile.encode(Tensor([2, 0])),
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let float64 = try prepareData("{ kind: npy, path: \(dir)/x64.npy }").training
        #expect(float64.samples == Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2]))
        let images = try prepareData(
            "{ kind: npy, path: \(dir)/images.npy, labelsPath: \(dir)/labels.npy, labelled: true }")
        #expect(images.training.samples.shape == [2, 4])
        #expect(images.training.labels == [2, 0] && images.classCount == 3)
    }

    @Test(".csv: header, comments, CRLF, spaces and a label column")
    func csv() throws {
        let text = "x,y,label\r\n# a comment\r\n1.5, -2,1\r\n\r\n3e-1,4,0\r\n"
        let dir = try folder(with: ["points.csv": Array(text.utf8), "first.csv": Array("2;1.5;-2\n0;0.3;4\n".utf8)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try prepareData("{ kind: csv, path: \(dir)/points.csv, labelColumn: last, labelled: true }")
        #expect(data.training.samples == Tensor([1.5, -2, 0.3, 4], shape: [2, 2]))
        #expect(data.training.labels == [1, 0])
        let unlabelled = try prepareData("{ kind: csv, path: \(dir)/first.csv, labelColumn: first, delimiter: ';' }")
        #expect(
            unlabelled.training.samples == Tensor([1.5, -2, 0.3, 4], shape: [2, 2]) && unlabelled.training.labels == nil
        )
    }

    @Test("IDX: unsigned bytes scaled to [0, 1] or [−1, 1], images flattened, labels")
    func idx() throws {
        let dir = try folder(with: [
            "images": Self.idxFile(shape: [2, 2, 2], payload: [0, 51, 102, 255, 255, 0, 0, 255]),
            "labels": Self.idxFile(shape: [2], payload: [7, 3]),
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let unit = try prepareData("{ kind: idx, path: \(dir)/images, labelsPath: \(dir)/labels, labelled: true }")
        #expect(unit.training.samples.shape == [2, 4])
        #expect(unit.training.samples.scalars == [0, 51, 102, 255, 255, 0, 0, 255].map { Float($0) / 255 })
        #expect(unit.training.labels == [7, 3] && unit.classCount == 8)
        let symmetric = try prepareData("{ kind: idx, path: \(dir)/images, scaling: symmetric }")
        #expect(symmetric.training.samples.scalars.min() == -1 && symmetric.training.samples.scalars.max() == 1)
    }

    @Test("labelled: true needs a label source, checked when the recipe resolves")
    func labelledWithoutLabels() {
        let error = trainingResolutionError(
            "sde: { kind: variance-exploding }\ndata: { kind: csv, path: x.csv, labelled: true }\n")
        #expect(
            error?.description == """
                recipes/test.yaml:2:43: error: value true for 'data.labelled' is out of range; expected false: data set 'csv' has no labels as configured (give it a label column or file)
                """)
    }

    // MARK: Errors

    @Test("a missing file names itself")
    func missing() throws {
        #expect(
            try dataError("{ kind: npy, path: no/such.npy }")?.description == """
                no/such.npy: error: no .npy data file at this path
                  paths in a recipe are read relative to the current folder
                """)
    }

    @Test("a truncated .npy: Core's reader names the file and the missing bytes")
    func truncatedNumPy() throws {
        let bytes = NumPyFile.encode(Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2]))
        let dir = try folder(with: ["cut.npy": Array(bytes.dropLast(8))])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(
            try dataError("{ kind: npy, path: \(dir)/cut.npy }")?.description == """
                \(dir)/cut.npy: error: not a valid .npy file: the shape [3, 2] needs 24 data bytes, the file has 16
                  the file may be truncated or corrupted; write it again
                """)
    }

    @Test(
        "a .csv row with a bad value or a wrong length: file, line and column",
        arguments: [
            (
                "1,2\n3,abc\n",
                "bad.csv:2:2: error: 'abc' is not a number\n  every value must be a number, such as 0.5 or -1e-3; only the first line may be a header"
            ),
            (
                "a,b\n1,2\n3,4,5\n",
                "bad.csv:3: error: row has 3 values, expected 2 as on line 2\n  every row must have the same number of values separated by ','"
            ),
            (
                "1,2\n3,\n",
                "bad.csv:2:2: error: an empty value is not a number\n  every value must be a number, such as 0.5 or -1e-3; only the first line may be a header"
            ),
            (
                "1,nan\n",
                "bad.csv:1:2: error: the value 'nan' is not finite\n  remove or replace non-finite values before training"
            ),
            (
                "# only a comment\n",
                "bad.csv: error: not a valid CSV file: the file has no data rows\n  write one sample per line, values separated by ','"
            ),
        ])
    func badCSV(text: String, message: String) throws {
        let dir = try folder(with: ["bad.csv": Array(text.utf8)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try dataError("{ kind: csv, path: \(dir)/bad.csv }")?.description == "\(dir)/" + message)
    }

    @Test("a .csv label that is not a class index")
    func badLabel() throws {
        let dir = try folder(with: ["bad.csv": Array("1,2,0\n3,4,1.5\n".utf8)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(
            try dataError("{ kind: csv, path: \(dir)/bad.csv, labelColumn: last }")?.description == """
                \(dir)/bad.csv:2:3: error: the label 1.5 is not a class index
                  labels are whole numbers 0, 1, 2, … (labelColumn: last)
                """)
    }

    @Test(
        "IDX: wrong magic, short payload, gzip, short header, label count",
        arguments: [
            (
                Array("PK\u{3}\u{4}rest".utf8),
                "not a valid IDX file: wrong magic number 0x504B0304; an IDX file starts with two zero bytes, a type code and the rank\n  is this an MNIST-style IDX file such as train-images-idx3-ubyte?"
            ),
            (
                idxFile(shape: [3, 2, 2], payload: [UInt8](repeating: 9, count: 10)),
                "not a valid IDX file: the header declares 3 × 2 × 2 values of 1 byte (12 bytes) but the file has 10 data bytes\n  the file may be truncated or corrupted; download it again"
            ),
            (
                [0x1F, 0x8B, 8, 0, 0],
                "not a valid IDX file: the file is gzip-compressed\n  decompress it first, for example with gunzip"
            ),
            (
                [0, 0, 8, 3, 0, 0],
                "not a valid IDX file: the header declares 3 dimensions but the file ends after 6 bytes\n  the file may be truncated or corrupted; download it again"
            ),
        ])
    func badIDX(bytes: [UInt8], message: String) throws {
        let dir = try folder(with: ["images": bytes])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try dataError("{ kind: idx, path: \(dir)/images }")?.description == "\(dir)/images: error: " + message)
    }

    @Test("IDX labels must match the images")
    func idxLabelCount() throws {
        let dir = try folder(with: [
            "images": Self.idxFile(shape: [2, 1, 1], payload: [1, 2]),
            "labels": Self.idxFile(shape: [3], payload: [0, 1, 2]),
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(
            try dataError("{ kind: idx, path: \(dir)/images, labelsPath: \(dir)/labels }")?.description == """
                \(dir)/labels: error: invalid labels: 3 labels for 2 samples
                  labels are class indices 0, 1, 2, …
                """)
    }
}
