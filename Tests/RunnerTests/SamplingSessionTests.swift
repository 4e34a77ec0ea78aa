import Foundation
import ScoreKitCore
import ScoreKitRunner
import ScoreKitSamplers
import Testing

/// `scorekit sample` reads what it needs from the run folder: the data's shape and
/// standardisation come from the checkpoint, so the data is never loaded to draw samples.
@Suite("sampling sessions: a run folder describes itself", .serialized)
struct SamplingSessionTests {
    /// A run trained on 3-D points in a `.npy` file, standardised per dimension, with a sampler.
    static func trainRun(in dir: String) throws -> String {
        var noise = PerSampleNoise(seed: 21)
        let points =
            noise.normal([400, 3]) * Tensor([2, 0.5, 1], shape: [1, 3]) + Tensor([1, -3, 0], shape: [1, 3])
        try NumPyFile.write(points, to: dir + "/points.npy")
        let recipe =
            tinyRecipe(steps: 30, data: "{ kind: npy, path: \(dir)/points.npy, standardization: perDimension }")
            + "timeGrid: { kind: uniform, steps: 20, endTime: 1e-3 }\nsampler: { kind: euler-maruyama }\n"
        var options = TrainingSession.Options(recipePath: try writeRecipe(recipe, in: dir))
        options.outputFolder = dir + "/run"
        _ = try TrainingSession(options: options, registry: trainingRegistry).run()
        return dir + "/run"
    }

    static func sample(_ run: String, to output: String) throws -> SamplingSession.Summary {
        var options = SamplingSession.Options(source: run)
        options.count = 150
        options.rowsPerShard = 64
        options.output = output
        return try SamplingSession(options: options, registry: trainingRegistry).run()
    }

    @Test func checkpointsDescribeTheirData() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.trainRun(in: dir)
        let checkpoint = try Checkpoint.read(run + "/checkpoint-final.safetensors")
        let description = try #require(checkpoint.dataDescription)
        #expect(description.sampleShape == [3] && description.image == nil)
        let data = try TrainingData.prepare(try #require(try resolveTraining(checkpoint.recipe).dataSpecification))
        #expect(description == DataDescription(data))
        #expect(description.standardization != nil)
    }

    @Test func aRunFolderWithoutItsDataFileSamplesTheSame() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.trainRun(in: dir)
        var shards: [Range<Int>] = []
        var options = SamplingSession.Options(source: run)
        options.count = 150
        options.rowsPerShard = 64
        options.output = dir + "/with-data.npy"
        let before = try SamplingSession(options: options, registry: trainingRegistry).run { event in
            if case let .shardFinished(rows, _, _) = event { shards.append(rows) }
        }
        #expect(shards.sorted { $0.lowerBound < $1.lowerBound } == [0..<64, 64..<128, 128..<150])
        try FileManager.default.removeItem(atPath: dir + "/points.npy")
        let after = try Self.sample(run, to: dir + "/without-data.npy")
        #expect(after.samples == before.samples)
        #expect(after.samples.shape == [150, 3])
        // Samples are in data space: the standardisation was undone with the checkpoint's m and s.
        let second: [Double] = after.samples.scalars.enumerated().filter { $0.offset % 3 == 1 }.map {
            Double($0.element)
        }
        let mean: Double = second.reduce(0, +) / Double(second.count)
        #expect(abs(mean + 3) < 1.5, "mean of the second coordinate \(mean); the data's is −3")
    }

    /// `--noise`: the seeded run's draws (its prior, then 20 Euler–Maruyama steps) replayed from a
    /// file give its samples; a recording one draw short or for another count is refused, named.
    @Test func recordedNoiseReplaysTheSeededRun() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.trainRun(in: dir)
        var options = SamplingSession.Options(source: run)
        (options.count, options.rowsPerShard, options.seed) = (150, 64, 5)
        options.output = dir + "/seeded.npy"
        let seeded = try SamplingSession(options: options, registry: trainingRegistry).run()
        var streams = PerSampleNoise(seed: 5)
        let draws = (0...20).map { _ in streams.normal([150, 3]) }
        let recording = Tensor.concatenate(draws, alongAxis: 0).reshaped([21, 150, 3])
        try NumPyFile.write(recording, to: dir + "/noise.npy")
        (options.seed, options.recordedNoise, options.output) = (nil, dir + "/noise.npy", dir + "/replayed.npy")
        let replayed = try SamplingSession(options: options, registry: trainingRegistry).run()
        #expect(replayed.samples == seeded.samples)
        try NumPyFile.write(recording.slice(alongAxis: 0, 0..<20), to: dir + "/short.npy")
        (options.recordedNoise, options.output) = (dir + "/short.npy", dir + "/short-out.npy")
        #expect {
            try SamplingSession(options: options, registry: trainingRegistry).run()
        } throws: { error in
            "\(error)".contains("draw 21 of shape [64, 3] is past the recording's 20 draws")
        }
        options.count = 100
        #expect {
            try SamplingSession(options: options, registry: trainingRegistry).run()
        } throws: { error in
            "\(error)" == "\(dir)/short.npy: error: the noise recording holds 150 samples, the run has 100 (--count)"
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/short-out.npy"))
    }

    @Test func olderCheckpointsFallBackToTheDataWithANotice() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.trainRun(in: dir)
        let described = try Self.sample(run, to: dir + "/described.npy")
        // The checkpoint as versions before the description wrote it.
        let path = run + "/checkpoint-final.safetensors"
        var file = try SafeTensorsFile.read(path)
        for key in ["dataSampleShape", "dataImageLevelCount", "dataImageScaling"] { file.metadata[key] = nil }
        try file.write(to: path)
        #expect(try Checkpoint.read(path).dataDescription == nil)
        let older = try Self.sample(run, to: dir + "/older.npy")
        #expect(older.samples == described.samples)
        let log = try String(contentsOfFile: run + "/train.log", encoding: .utf8)
        #expect(log.contains("does not describe its data"))
        // Without the data, such a run cannot be sampled; the error names the file.
        try FileManager.default.removeItem(atPath: dir + "/points.npy")
        #expect(throws: SamplingSessionError.self) { try Self.sample(run, to: dir + "/none.npy") }
    }
}
