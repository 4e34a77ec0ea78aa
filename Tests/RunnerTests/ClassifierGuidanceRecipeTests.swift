import Foundation
import ScoreKitCore
import ScoreKitMetrics
import ScoreKitRunner
import Testing

/// Classifier guidance from the recipe's `guidance: { kind: classifier, run: … }`, and the
/// classifier recipes (`unet-classifier`, `mlp-classifier`, `classifier-cross-entropy`).
@Suite("classifier guidance", .serialized)
struct ClassifierGuidanceRecipeTests {
    static let means: [[Double]] = [[-3, 0], [0, 3], [3, 0]]
    static let exactClassifier = RecipeFilesTests.recipes + "/exact-mixture-classifier.yaml"
    static let guided = RecipeFilesTests.recipes + "/exact-mixture-classifier-guided.yaml"

    /// `count` samples of the guided exact-mixture recipe with `overrides` (flow syntax).
    static func sample(_ overrides: [String], count: Int, in dir: String) throws -> Tensor {
        var sampling = SamplingSession.Options(source: guided)
        sampling.overrides = try overrides.map { try ConfigurationOverride(parsing: $0) }
        sampling.count = count
        sampling.output = dir + "/samples.npy"
        sampling.pictures = false
        return try SamplingSession(options: sampling, registry: exactRegistry).run().samples
    }

    /// Per-axis means and standard deviations of samples `[N, 2]`.
    static func moments(_ samples: Tensor) -> (mean: [Double], deviation: [Double]) {
        let n = samples.shape[0]
        let values = samples.scalars.map(Double.init)
        let mean = (0..<2).map { j in (0..<n).reduce(0.0) { $0 + values[$1 * 2 + j] } / Double(n) }
        let deviation = (0..<2).map { j in
            ((0..<n).reduce(0.0) { $0 + pow(values[$1 * 2 + j] - mean[j], 2) } / Double(n - 1)).squareRoot()
        }
        return (mean, deviation)
    }

    @Test(
        "the exact classifier at scale 1 turns the exact mixture into component k: its mean and spread",
        arguments: [0, 1, 2])
    func exactGuidanceSamplesTheComponent(component: Int) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let samples = try Self.sample(
            ["guidance.run=\(Self.exactClassifier)", "guidance.classes=[\(component)]"], count: 800, in: dir)
        let (mean, deviation) = Self.moments(samples)
        // N(μ_k, 0.5² I): the standard error of a mean is 0.5/√800 = 0.018, of a deviation 0.0125;
        // DPM-Solver++(2M) in 25 log-SNR steps adds its own error.
        for j in 0..<2 {
            #expect(abs(mean[j] - Self.means[component][j]) < 0.08, "mean \(mean), component \(component)")
            #expect(abs(deviation[j] - 0.5) < 0.06, "deviation \(deviation), component \(component)")
        }
        let shares = SampleQuality.componentShares(samples, means: Self.means)
        #expect(shares[component] > 0.995, "shares \(shares)")
    }

    @Test("scale 0 is the unconditional mixture: every component in its weight")
    func scaleZeroIsUnconditional() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let samples = try Self.sample(
            ["guidance.run=\(Self.exactClassifier)", "guidance.classes=[0]", "guidance.scale=0"], count: 900, in: dir)
        let shares = SampleQuality.componentShares(samples, means: Self.means)
        // Binomial standard error √(2/9/900) = 0.016.
        #expect(shares.allSatisfy { abs($0 - 1.0 / 3) < 0.06 }, "shares \(shares)")
    }

    @Test("a trained MLP classifier guides the exact mixture to the requested components", .tags(.slow))
    func trainedClassifierGuides() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var training = TrainingSession.Options(recipePath: RecipeFilesTests.recipes + "/mixture-noise-classifier.yaml")
        training.outputFolder = dir + "/classifier"
        training.steps = 400
        training.pictures = false
        let trained = try TrainingSession(options: training, registry: exactRegistry).run()
        // log 3 = 1.10 is chance; at large t every classifier is at chance, so the mean over t stays well above 0.
        #expect((trained.loss ?? .infinity) < 0.9, "loss \(trained.loss ?? .nan)")
        let samples = try Self.sample(["guidance.run=\(dir)/classifier"], count: 600, in: dir)
        let (n, values) = (samples.shape[0], samples.scalars.map(Double.init))
        var right = 0
        for i in 0..<n {
            let distances = Self.means.map { pow(values[2 * i] - $0[0], 2) + pow(values[2 * i + 1] - $0[1], 2) }
            if distances.indices.min(by: { distances[$0] < distances[$1] }) == i % 3 { right += 1 }
        }
        #expect(Double(right) / Double(n) > 0.95, "\(right) of \(n) samples in the requested component")
    }

    /// The error `yaml` resolves with, as text, or "".
    static func error(_ yaml: String) -> String {
        do {
            _ = try Recipe(yaml: yaml, source: "r.yaml").resolve(with: exactRegistry)
            return ""
        } catch {
            return error.description
        }
    }

    static let mixture = """
        { kind: gaussian-mixture, count: 2000, labelled: true, means: [[-3, 0], [0, 3], [3, 0]], standardDeviations: [0.5] }
        """

    @Test("validate pairs classifier networks with classifier-cross-entropy on labelled data, without a sampler")
    func trainingRules() {
        let head =
            "sde: { kind: variance-preserving }\nparameterization: { kind: epsilon }\noptimizer: { kind: adam }\n"
        let scoreLoss = Self.error(
            head
                + "loss: { kind: denoising-score-matching }\nnetwork: { kind: mlp-classifier }\ndata: \(Self.mixture)\n"
        )
        #expect(scoreLoss.hasPrefix("r.yaml:4:"), "\(scoreLoss)")
        #expect(scoreLoss.contains("is a classifier (its output is class logits)"), "\(scoreLoss)")
        let scoreNetwork = Self.error(
            head + "loss: { kind: classifier-cross-entropy }\nnetwork: { kind: mlp }\ndata: \(Self.mixture)\n")
        #expect(scoreNetwork.hasPrefix("r.yaml:5:"), "\(scoreNetwork)")
        #expect(scoreNetwork.contains("trains a classifier, and network 'mlp' is not one"), "\(scoreNetwork)")
        #expect(scoreNetwork.contains("mlp-classifier") && scoreNetwork.contains("unet-classifier"), "\(scoreNetwork)")
        let unlabelled = Self.error(
            head + "loss: { kind: classifier-cross-entropy }\nnetwork: { kind: mlp-classifier }\n"
                + "data: \(Self.mixture.replacingOccurrences(of: "labelled: true", with: "labelled: false"))\n")
        #expect(unlabelled.hasPrefix("r.yaml:6:"), "\(unlabelled)")
        #expect(unlabelled.contains("the data are not labelled"), "\(unlabelled)")
        let sampled = Self.error(
            head + "loss: { kind: classifier-cross-entropy }\nnetwork: { kind: mlp-classifier }\n"
                + "data: \(Self.mixture)\ntimeGrid: { kind: uniform, steps: 10 }\nsampler: { kind: euler-maruyama }\n")
        #expect(sampled.hasPrefix("r.yaml:8:"), "\(sampled)")
        #expect(sampled.contains("has no score to sample with"), "\(sampled)")
        let fine = Self.error(
            head
                + "loss: { kind: classifier-cross-entropy }\nnetwork: { kind: mlp-classifier }\ndata: \(Self.mixture)\n"
        )
        #expect(fine.isEmpty, "\(fine)")
    }

    /// The guided exact-mixture recipe with `sde` and `guidance`.
    static func guidedRecipe(
        sde: String = "{ kind: variance-preserving, betaMin: 0.1, betaMax: 20 }", _ guidance: String
    )
        -> String
    {
        """
        sde: \(sde)
        parameterization: { kind: epsilon }
        network: { kind: exact-mixture }
        data: \(mixture)
        timeGrid: { kind: log-snr, steps: 10, endTime: 1e-3, finalStep: toZero }
        sampler: { kind: dpm-solver-plus-plus }
        guidance: \(guidance)

        """
    }

    @Test("validate refuses, at guidance.run, a run that is not a classifier or has another process; and no run")
    func guidanceRules() throws {
        let noRun = Self.error(Self.guidedRecipe("{ kind: classifier, scale: 2 }"))
        #expect(noRun.contains("guidance.run") || noRun.contains("'run'"), "\(noRun)")
        let notClassifier = Self.error(
            Self.guidedRecipe("{ kind: classifier, run: \(RecipeFilesTests.recipes)/cfg-mixture-guided.yaml }"))
        #expect(notClassifier.hasPrefix("r.yaml:7:"), "\(notClassifier)")
        #expect(notClassifier.contains("its network 'mlp' is not a classifier"), "\(notClassifier)")
        let otherProcess = Self.error(
            Self.guidedRecipe(
                sde: "{ kind: sub-variance-preserving }", "{ kind: classifier, run: \(Self.exactClassifier) }"))
        #expect(otherProcess.hasPrefix("r.yaml:7:"), "\(otherProcess)")
        #expect(otherProcess.contains("the classifier was trained on another forward process"), "\(otherProcess)")
        let fine = Self.error(Self.guidedRecipe("{ kind: classifier, run: \(Self.exactClassifier) }"))
        #expect(fine.isEmpty, "\(fine)")

        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = #expect(throws: SamplingSessionError.self) {
            try Self.sample(["guidance.run=\(dir)/none"], count: 3, in: dir)
        }
        #expect(missing?.description.contains("no such classifier run") == true, "\(missing?.description ?? "")")
        let unknownClass = #expect(throws: SamplingSessionError.self) {
            try Self.sample(["guidance.run=\(Self.exactClassifier)", "guidance.classes=[3]"], count: 3, in: dir)
        }
        #expect(
            unknownClass?.description.contains("the classifier knows classes 0..<3") == true,
            "\(unknownClass?.description ?? "")")
    }
}
