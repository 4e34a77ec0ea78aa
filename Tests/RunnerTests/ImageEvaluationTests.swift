import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// `scorekit evaluate` on image data: the Fréchet distance in the feature classifier's space,
/// with its floor (training images against held-out images).
@Suite("evaluate: Fréchet distance of images", .serialized)
struct ImageEvaluationTests {
    static let recipe = RecipeFilesTests.recipes + "/tiny-digits.yaml"

    func evaluate(_ samples: Tensor, in dir: String) throws -> EvaluationReport {
        let path = dir + "/samples.npy"
        try NumPyFile.write(samples, to: path)
        var options = EvaluationSession.Options(source: Self.recipe)
        options.samples = path
        options.overrides = [try ConfigurationOverride(parsing: "evaluation.classifierSteps=400")]
        return try EvaluationSession(options: options, registry: exactRegistry).run().report
    }

    @Test("the training images as samples score exactly the floor; noise scores far above it")
    func floorAndNoise() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try TrainingData.prepare(
            try Recipe.load(contentsOf: Self.recipe).resolve(with: exactRegistry).require(
                \.dataSpecification, .data, for: "the test"))
        let training = data.standardization.map { $0.invert(data.training.samples) } ?? data.training.samples
        let real = try evaluate(training, in: dir)
        let image = try #require(real.image)
        #expect(image.pointCount.samples == data.training.count && image.pointCount.heldOut == data.heldOut?.count)
        #expect(image.frechetDistance == image.frechetFloor, "\(image.frechetDistance) vs \(image.frechetFloor)")
        #expect(image.frechetFloor > 0 && image.featureCount == 256)
        #expect(image.classifierHeldOutAccuracy > 0.8, "\(image.classifierHeldOutAccuracy)")
        #expect(real.json.contains("\"frechetFloor\":") && real.table.contains("Fréchet distance"))

        var noise = PerSampleNoise(seed: 4)
        let uniform = noise.uniform([600, training.shape[1]]) * 2 - 1
        let poor = try #require(try evaluate(uniform, in: dir).image)
        #expect(poor.pointCount.samples == 600)
        #expect(
            poor.frechetDistance > 10 * image.frechetFloor, "noise \(poor.frechetDistance), floor \(image.frechetFloor)"
        )
    }

    @Test("2-D data has no image metrics")
    func vectorsHaveNone() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var noise = PerSampleNoise(seed: 1)
        try NumPyFile.write(noise.normal([50, 2]), to: dir + "/s.npy")
        var options = EvaluationSession.Options(source: RecipeFilesTests.recipes + "/exact-ring-heun.yaml")
        options.samples = dir + "/s.npy"
        #expect(try EvaluationSession(options: options, registry: exactRegistry).run().report.image == nil)
    }
}
