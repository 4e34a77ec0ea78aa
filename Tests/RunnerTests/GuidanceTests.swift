import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitRunner
import Testing

/// Classifier-free guidance from the recipe's `guidance` section.
@Suite("classifier-free guidance", .serialized)
struct GuidanceTests {
    static let data = """
        { kind: gaussian-mixture, count: 6000, labelled: true, means: [[-4, 0], [0, 4], [4, 0]], \
        standardDeviations: [0.4] }
        """

    /// A small labelled VP/ε recipe with label dropout, guided by `guidance`.
    static func recipe(guidance: String, labelled: Bool = true) -> String {
        """
        sde:              { kind: variance-preserving, betaMin: 0.1, betaMax: 20 }
        parameterization: { kind: epsilon }
        loss:             { kind: denoising-score-matching, labelDropout: \(labelled ? 0.1 : 0) }
        network:          { kind: mlp, hiddenWidths: [64, 64], embeddingWidth: 16, conditioning: time }
        optimizer:        { kind: adam }
        data:             \(labelled ? data : data.replacingOccurrences(of: "labelled: true", with: "labelled: false"))
        training:         { steps: 1500, batchSize: 256, learningRate: 2e-3, logEvery: 500, checkpointEvery: 1500 }
        timeGrid:         { kind: log-snr, steps: 25, endTime: 1e-3, finalStep: toZero }
        sampler:          { kind: dpm-solver-plus-plus, order: 2 }
        guidance:         \(guidance)
        seed: 4

        """
    }

    @Test("sample i is drawn for classes[i mod count], or class i mod K without classes")
    func labels() {
        var settings = GuidanceSettings()
        #expect(settings.labels(first: 4, count: 4, classCount: 3) == [1, 2, 0, 1])
        settings.classes = [0, 2]
        #expect(settings.labels(first: 1, count: 3, classCount: 3) == [2, 0, 2])
    }

    @Test(
        "guided toward class 2 at w = 3, at least 95 % of the samples land in component 2; classes cycle; unknown classes are errors"
    )
    func guidedSamples() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var training = TrainingSession.Options(
            recipePath: try writeRecipe(Self.recipe(guidance: "{ scale: 3.0, classes: [2] }"), in: dir))
        training.outputFolder = dir + "/run"
        training.pictures = false
        try TrainingSession(options: training, registry: exactRegistry).run()
        var sampling = SamplingSession.Options(source: dir + "/run")
        sampling.count = 300
        sampling.pictures = false
        let samples = try SamplingSession(options: sampling, registry: exactRegistry).run().samples
        let shares = SampleEvaluation().evaluate(
            samples: samples, reference: samples,
            mixture: try .init(
                weights: [1, 1, 1], means: [[-4, 0], [0, 4], [4, 0]], standardDeviations: [0.4, 0.4, 0.4])
        ).mixture?.componentShares
        // Measured: [0, 0, 1] at w = 1 and w = 3; the unconditional model (w = 0) gives [0.31, 0.37, 0.32].
        #expect((shares?[2] ?? 0) > 0.95, "shares \(shares ?? [])")

        sampling.overrides = [try ConfigurationOverride(parsing: "guidance.classes=[0, 1, 2]")]
        let balanced = try SamplingSession(options: sampling, registry: exactRegistry).run().samples
        let thirds =
            SampleEvaluation().evaluate(
                samples: balanced, reference: balanced,
                mixture: try .init(
                    weights: [1, 1, 1], means: [[-4, 0], [0, 4], [4, 0]], standardDeviations: [0.4, 0.4, 0.4])
            ).mixture?.componentShares ?? []
        #expect(thirds.allSatisfy { abs($0 - 1.0 / 3) < 0.05 }, "shares \(thirds)")

        sampling.overrides = [try ConfigurationOverride(parsing: "guidance.classes=[5]")]
        let unknown = #expect(throws: SamplingSessionError.self) {
            try SamplingSession(options: sampling, registry: exactRegistry).run()
        }
        #expect(unknown?.description.contains("the network knows classes 0..<3") == true)
    }

    @Test("guidance of an unconditional network and a negative scale are errors")
    func errors() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var training = TrainingSession.Options(
            recipePath: try writeRecipe(Self.recipe(guidance: "{ scale: 2 }", labelled: false), in: dir))
        training.outputFolder = dir + "/run"
        training.pictures = false
        training.steps = 2
        try TrainingSession(options: training, registry: exactRegistry).run()
        let error = #expect(throws: SamplingSessionError.self) {
            try SamplingSession(options: .init(source: dir + "/run"), registry: exactRegistry).run()
        }
        #expect(
            error?.description.contains("its network is not conditioned on labels") == true,
            "\(error?.description ?? "no error")")

        let negative = trainingResolutionError(Self.recipe(guidance: "{ scale: -1 }"))
        #expect(negative?.description.contains("guidance.scale") == true)
    }
}
