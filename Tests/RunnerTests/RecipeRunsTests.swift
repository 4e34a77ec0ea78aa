import Foundation
import ScoreKitCore
import ScoreKitLosses
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
            if let teacher = try Self.teacher(of: resolved, in: dir) {
                training.overrides.append(ConfigurationOverride(path: "loss.teacher", value: .string(teacher)))
            }
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

    /// The teacher of a distillation recipe (`TeacherLoss`), ready: its path in the repository when
    /// it is a file there (an exact recipe), else the run of `recipes/<its folder's name>.yaml`
    /// trained for two steps into `dir/teacher`; `nil` for other losses.
    static func teacher(of recipe: ResolvedRecipe, in dir: String) throws -> String? {
        guard let loss = recipe.loss as? any TeacherLoss else { return nil }
        let inRepository = TrainCommandTests.repository.appendingPathComponent(loss.teacherPath).path
        if FileManager.default.fileExists(atPath: inRepository) { return inRepository }
        let name = URL(fileURLWithPath: loss.teacherPath).lastPathComponent
        var training = TrainingSession.Options(recipePath: RecipeFilesTests.recipes + "/" + name + ".yaml")
        training.outputFolder = dir + "/teacher"
        training.steps = 2
        training.overrides = [ConfigurationOverride(path: "training.batchSize", value: .integer(16))]
        training.pictures = false
        _ = try TrainingSession(options: training, registry: exactRegistry).run()
        return dir + "/teacher"
    }
}
