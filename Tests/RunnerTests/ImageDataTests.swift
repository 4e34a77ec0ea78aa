import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// Image data: the built-in digits, IDX images, scaling and dequantisation, and the PNG
/// pictures of image runs (grids per class, the trajectory strip).
@Suite("Image data and pictures", .serialized)
struct ImageDataTests {
    @Test("digits: 1,797 images [1, 8, 8] of levels 0–16 with the published class counts")
    func digits() throws {
        let (levels, labels) = DigitsData.decoded
        #expect(levels.shape == [1797, 64] && labels.count == 1797)
        #expect(levels.scalars.reduce(0, +) == 561_718)  // the converter's check sum
        #expect(Array(levels.scalars[0..<8]) == [0, 0, 5, 13, 9, 1, 0, 0])  // the first 0, top row
        #expect(
            (0..<10).map { c in labels.filter { $0 == c }.count } == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        let data = try prepareData("{ kind: digits, labelled: true }")
        #expect(data.training.image == ImageFormat(shape: [1, 8, 8], levelCount: 17, scaling: .symmetric))
        #expect(data.classCount == 10 && data.training.labels == labels)
        #expect(data.training.samples.scalars.min() == -1 && data.training.samples.scalars.max() == 1)
        #expect(data.training.images?.shape == [1797, 1, 8, 8])
        #expect(data.training.samples.scalars[2] == Float(2 * 5) / 16 - 1)
        let unit = try prepareData("{ kind: digits, scaling: unit }")
        #expect(unit.training.samples.scalars[3] == Float(13) / 16 && unit.training.labels == nil)
    }

    @Test("scaling inverts: intensities are the levels stretched to 0–255, clamped and rounded")
    func inverse() {
        let format = ImageFormat(shape: [1, 1, 4], levelCount: 17, scaling: .symmetric)
        let samples = format.samples(levels: Tensor([0, 4, 16, 8], shape: [1, 4]), dequantization: .none, seed: 0)
        #expect(samples.scalars == [-1, -0.5, 1, 0])
        #expect(format.intensities(samples) == [0, 64, 255, 128])
        #expect(format.intensities(Tensor([-3, 7, .nan, 0.49], shape: [1, 4])) == [0, 255, 0, 191])
        #expect(format.binWidth == 0.125)
        #expect(ImageFormat(shape: [3, 2, 2], levelCount: 256, scaling: .unit).binWidth == 1.0 / 255)
    }

    @Test("uniform dequantisation stays inside each level's bin, is fixed by the data seed, and rounds back")
    func dequantization() throws {
        let plain = try prepareData("{ kind: digits }").training.samples
        let noisy = try prepareData("{ kind: digits, dequantization: uniform }").training.samples
        let again = try prepareData("{ kind: digits, dequantization: uniform }").training.samples
        let other = try prepareData("{ kind: digits, dequantization: uniform, seed: 1 }").training.samples
        #expect(noisy == again && noisy != other)
        let format = ImageFormat(shape: [1, 8, 8], levelCount: 17, scaling: .symmetric)
        let offsets = zip(noisy.scalars, plain.scalars).map { format.level(ofValue: $0) - format.level(ofValue: $1) }
        #expect(offsets.allSatisfy { $0 >= -0.5 && $0 < 0.5 })
        let mean = offsets.reduce(0, +) / Float(offsets.count)
        #expect(abs(mean) < 0.01)  // U[−½, ½): mean 0, standard error 0.29/√115008 ≈ 0.001
        #expect(format.intensities(noisy) == format.intensities(plain))
    }

    @Test("the split and standardisation keep the image layout; IDX bytes [N, H, W] are images")
    func layoutKept() throws {
        let data = try prepareData(
            "{ kind: digits, labelled: true, heldOutFraction: 0.1, standardization: perDimension }")
        #expect(data.training.image?.shape == [1, 8, 8] && data.heldOut?.image?.shape == [1, 8, 8])
        #expect(data.training.count + (data.heldOut?.count ?? 0) == 1797 && data.heldOut?.count == 180)
        let dir = try folder(with: [
            "images": DataFileTests.idxFile(shape: [2, 2, 2], payload: [0, 51, 102, 255, 255, 0, 0, 255]),
            "floats": DataFileTests.idxFile(type: 0x0D, shape: [1, 2], payload: [0, 0, 0, 0, 0x3F, 0x80, 0, 0]),
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let idx = try prepareData("{ kind: idx, path: \(dir)/images, scaling: symmetric }")
        #expect(idx.training.image == ImageFormat(shape: [1, 2, 2], levelCount: 256, scaling: .symmetric))
        #expect(idx.training.image?.intensities(idx.training.samples) == [0, 51, 102, 255, 255, 0, 0, 255])
        #expect(try prepareData("{ kind: idx, path: \(dir)/floats }").training.image == nil)
    }

    @Test("a grid of the digits: a row per class, each tile its image enlarged 6 times, framed")
    func digitsGrid() throws {
        let data = try prepareData("{ kind: digits, labelled: true }").training
        let format = try #require(data.image)
        let png = try DecodedPNG(ImagePictures.grid(data.samples, format: format, labels: data.labels).encoded())
        #expect(png.width == 10 * 49 + 1 && png.height == 10 * 49 + 1 && png.colorType == 0)
        let intensities = format.intensities(data.samples)
        let labels = try #require(data.labels)
        for (row, column) in [(0, 0), (3, 4), (9, 9)] {
            let image = labels.indices.filter { labels[$0] == row }[column]
            for (y, x) in [(0, 0), (20, 13), (47, 47)] {
                let pixel = png.pixels[(row * 49 + 1 + y) * png.width + column * 49 + 1 + x]
                #expect(
                    pixel == intensities[image * 64 + (y / 6) * 8 + x / 6], "tile (\(row), \(column)) at (\(y), \(x))")
            }
        }
        #expect(png.pixels[0] == 110 && png.pixels[49] == 110)  // the frame
        let plain = try DecodedPNG(ImagePictures.grid(data.samples, format: format).encoded())
        #expect(plain.pixels[1 * plain.width + 1 + 49] == intensities[64])  // image 1 beside image 0
    }

    @Test("a digits run: train draws data.png, sample a grid per class and a trajectory strip, plot redraws them")
    func imageRun() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = """
            sde:              { kind: variance-preserving }
            parameterization: { kind: epsilon }
            loss:             { kind: denoising-score-matching, labelDropout: 0.2 }
            network:          { kind: residual-mlp, width: 32, blockCount: 1 }
            optimizer:        { kind: adam }
            data:             { kind: digits, labelled: true, heldOutFraction: 0.1 }
            training:         { steps: 30, batchSize: 32, logEvery: 10, checkpointEvery: 0 }
            timeGrid:         { kind: uniform, steps: 20, endTime: 1e-3, finalStep: toZero }
            sampler:          { kind: ddim }
            guidance:         { scale: 2, classes: [3, 1] }
            seed: 5

            """
        var training = TrainingSession.Options(recipePath: try writeRecipe(recipe, in: dir))
        training.outputFolder = dir + "/run"
        let run = RunFolder(path: dir + "/run")
        let trained = try TrainingSession(options: training, registry: pictureRegistry).run()
        #expect(trained.picturePaths == ["loss.svg", "loss-by-time.svg", "data.png"].map(run.file))
        let data = try DecodedPNG(Array(try Data(contentsOf: URL(fileURLWithPath: run.file("data.png")))))
        #expect(data.width == 491 && data.height == 491)  // 180 held-out digits: 10 classes, ≥ 10 each

        var sampling = SamplingSession.Options(source: run.path)
        sampling.count = 12
        let sampled = try SamplingSession(options: sampling, registry: pictureRegistry).run()
        #expect(sampled.samples.shape == [12, 64])
        #expect(sampled.picturePaths == ["samples.png", "samples-trajectories.png"].map(run.file))
        let grid = try DecodedPNG(Array(try Data(contentsOf: URL(fileURLWithPath: run.file("samples.png")))))
        #expect(grid.width == 6 * 49 + 1 && grid.height == 2 * 49 + 1)  // classes 1 and 3, 6 samples each
        let strip = try DecodedPNG(
            Array(try Data(contentsOf: URL(fileURLWithPath: run.file("samples-trajectories.png")))))
        #expect(strip.width == ImagePictures.trajectoryColumnCount * 49 + 1)
        #expect(strip.height == ImagePictures.trajectoryCount * 49 + 1)

        let (written, skipped) = try PlotSession(options: .init(folder: run.path), registry: pictureRegistry).run()
        #expect(
            Set(written)
                == Set(
                    ["loss.svg", "loss-by-time.svg", "data.png", "samples.png", "samples-trajectories.png"].map(
                        run.file)))
        #expect(skipped == ["score field: drawn for 2-D data only"])
        let redrawn = try DecodedPNG(Array(try Data(contentsOf: URL(fileURLWithPath: run.file("samples.png")))))
        #expect(redrawn.pixels == grid.pixels)
        let log = try String(contentsOfFile: run.log, encoding: .utf8)
        #expect(log.contains(" info: sampled 12 in ") && log.contains(" info: finished: 30 steps"))
    }
}
