import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// Every shipped recipe runs, at a small size: recipes with an exact network sample straight from
/// the file; the others train for two steps on small batches and sample from the run. What
/// `validate` accepts must run — this is where a recipe that validates but fails is caught.
@Suite("recipes/ run at a small size", .serialized)
struct RecipeRunsTests {
    @Test(arguments: RecipeFilesTests.files)
    func runsAtASmallSize(file: String) throws {
        let path = RecipeFilesTests.recipes + "/" + file
        let resolved = try Recipe.load(contentsOf: path).resolve(with: exactRegistry)
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var source = path
        if !(resolved.network is any ExactModelArchitecture) {
            var training = TrainingSession.Options(recipePath: path)
            training.outputFolder = dir + "/run"
            training.steps = 2
            training.overrides = [ConfigurationOverride(path: "training.batchSize", value: .integer(16))]
            training.pictures = false
            let trained = try TrainingSession(options: training, registry: exactRegistry).run()
            #expect(trained.step == 2, "\(file)")
            source = dir + "/run"
        }
        var sampling = SamplingSession.Options(source: source)
        sampling.count = 12
        sampling.output = dir + "/samples.npy"
        sampling.pictures = false
        let sampled = try SamplingSession(options: sampling, registry: exactRegistry).run()
        #expect(sampled.samples.shape[0] == 12, "\(file)")
        let finite = sampled.samples.scalars.allSatisfy { $0.isFinite }
        #expect(finite, "\(file): samples are not finite")
    }
}
