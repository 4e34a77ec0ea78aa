import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// Every file in recipes/ resolves with the command's registry, and the tiny recipe runs end to
/// end: train, sample, evaluate, plot.
@Suite("recipes/", .serialized)
struct RecipeFilesTests {
    static let recipes = TrainCommandTests.repository.appendingPathComponent("recipes").path

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: recipes)) ?? []).filter { $0.hasSuffix(".yaml") }
            .sorted()
    }

    @Test("the folder holds the recipes of every method the project documents")
    func inventory() {
        let expected = [
            "ddpm-epsilon-ancestral", "vp-predictor-corrector", "subvp-predictor-corrector", "ve-predictor-corrector",
            "vp-likelihood-rk45", "vp-epsilon-ddim", "vp-epsilon-dpm-solver-plus-plus", "edm-heun-churn",
            "flow-matching-euler", "ve-sliced-score-matching", "ve-implicit-score-matching", "exact-ring-heun",
            "exact-grid-predictor-corrector", "exact-mixture-encode-decode", "tiny-ring", "ncsn-ring", "digits-unet",
            "ddpm-epsilon-unipc", "exact-ring-adams-bashforth",
        ]
        let present = Set(Self.files.map { String($0.dropLast(5)) })
        #expect(Set(expected).subtracting(present).isEmpty, "missing: \(Set(expected).subtracting(present))")
    }

    @Test("every recipe resolves (as scorekit validate checks it)", arguments: files)
    func validates(file: String) throws {
        let resolved = try Recipe.load(contentsOf: Self.recipes + "/" + file).resolve(with: exactRegistry)
        // A classifier (for classifier guidance) is trained, never sampled.
        let sampled =
            resolved.network is any ClassifierArchitecture || resolved.sampler != nil && resolved.timeGrid != nil
        #expect(sampled, "\(file) cannot be sampled")
        #expect(resolved.dataSpecification != nil)
    }

    @Test("tiny-ring: train, sample, evaluate and plot; the samples are near the ring")
    func tinyEndToEnd() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var training = TrainingSession.Options(recipePath: Self.recipes + "/tiny-ring.yaml")
        training.outputFolder = dir + "/run"
        let trained = try TrainingSession(options: training, registry: exactRegistry).run()
        #expect(trained.step == 2000 && trained.picturePaths.count == 3)

        var sampling = SamplingSession.Options(source: dir + "/run")
        sampling.count = 2000
        let sampled = try SamplingSession(options: sampling, registry: exactRegistry).run()
        #expect(sampled.samplesPath == dir + "/run/samples.npy" && sampled.picturePaths.count == 2)

        let evaluated = try EvaluationSession(options: .init(source: dir + "/run"), registry: exactRegistry).run()
        #expect(evaluated.outputPath == dir + "/run/evaluation.json")
        let report = evaluated.report
        // Measured (release, 1 thread): energy distance 0.018, SW₂ 0.34, 18 % off the manifold,
        // mean log p₀ −6.1 nats (data −3.1); exact samples: 0.00, 0.16–0.27, 0 %, −3.1.
        #expect(report.energyDistance < 0.05, "energy distance \(report.energyDistance)")
        let mixture = try #require(report.mixture)
        #expect(mixture.offManifoldFraction < 0.35 && mixture.shareTotalVariation < 0.1)
        #expect(try #require(mixture.meanLogDensity) > -9)

        let (written, _) = try PlotSession(options: .init(folder: dir + "/run"), registry: exactRegistry).run()
        #expect(written.count == 5)
    }
}
