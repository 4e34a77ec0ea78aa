import Foundation
import ScoreKitCore
import ScoreKitLosses
import ScoreKitRunner
import Testing

/// Every shipped recipe runs, at a small size: recipes with an exact network sample straight from
/// the file; the others train for two steps on small batches and sample from the run. What
/// `validate` accepts must run — this is where a recipe that validates but fails is caught.
/// A classifier recipe (for classifier guidance) is trained only; a recipe guided by a classifier
/// run (`guidance: { kind: classifier, run: runs/NAME }`) first has `recipes/NAME.yaml` trained
/// the same way, and its `guidance.run` pointed there (or, for an exact classifier's recipe, at
/// that recipe in recipes/).
@Suite("recipes/ run at a small size", .serialized)
struct RecipeRunsTests {
    @Test(arguments: RecipeFilesTests.files)
    func runsAtASmallSize(file: String) throws {
        let path = RecipeFilesTests.recipes + "/" + file
        let resolved = try Recipe.load(contentsOf: path).resolve(with: exactRegistry)
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var overrides: [ConfigurationOverride] = []
        if let guidance = resolved.guidanceSettings, guidance.kind == .classifier {
            let name = URL(fileURLWithPath: guidance.run).lastPathComponent
            var run = RecipeFilesTests.recipes + "/" + name  // an exact classifier's recipe
            if !name.hasSuffix(".yaml") {
                run = dir + "/classifier"
                try Self.train(RecipeFilesTests.recipes + "/" + name + ".yaml", into: run)
            }
            overrides.append(ConfigurationOverride(path: "guidance.run", value: .string(run)))
        }
        // An exact classifier has nothing to train or sample: guided recipes read it.
        if resolved.network is any ExactClassifierArchitecture { return }
        var source = path
        if !(resolved.network is any ExactModelArchitecture) {
            var trainingOverrides = overrides
            if let teacher = try Self.teacher(of: resolved, in: dir) {
                trainingOverrides.append(ConfigurationOverride(path: "loss.teacher", value: .string(teacher)))
            }
            try Self.train(path, into: dir + "/run", overrides: trainingOverrides)
            source = dir + "/run"
        }
        if resolved.network is any ClassifierArchitecture { return }
        var sampling = SamplingSession.Options(source: source)
        sampling.overrides = overrides
        sampling.count = 12
        sampling.output = dir + "/samples.npy"
        sampling.pictures = false
        let sampled = try SamplingSession(options: sampling, registry: exactRegistry).run()
        #expect(sampled.samples.shape[0] == 12, "\(file)")
        let finite = sampled.samples.scalars.allSatisfy { $0.isFinite }
        #expect(finite, "\(file): samples are not finite")
    }

    /// Two training steps of the recipe at `path` on batches of 16, into `folder`.
    static func train(_ path: String, into folder: String, overrides: [ConfigurationOverride] = []) throws {
        var training = TrainingSession.Options(recipePath: path)
        training.outputFolder = folder
        training.steps = 2
        training.overrides = overrides + [ConfigurationOverride(path: "training.batchSize", value: .integer(16))]
        training.pictures = false
        let trained = try TrainingSession(options: training, registry: exactRegistry).run()
        #expect(trained.step == 2, "\(path)")
    }

    /// The teacher of a distillation recipe (`TeacherLoss`), ready: its path in the repository when
    /// it is a file there (an exact recipe), else the run of `recipes/<its folder's name>.yaml`
    /// trained for two steps into `dir/teacher`; `nil` for other losses.
    static func teacher(of recipe: ResolvedRecipe, in dir: String) throws -> String? {
        guard let loss = recipe.loss as? any TeacherLoss else { return nil }
        let inRepository = TrainCommandTests.repository.appendingPathComponent(loss.teacherPath).path
        if FileManager.default.fileExists(atPath: inRepository) { return inRepository }
        let name = URL(fileURLWithPath: loss.teacherPath).lastPathComponent
        try train(RecipeFilesTests.recipes + "/" + name + ".yaml", into: dir + "/teacher")
        return dir + "/teacher"
    }
}
