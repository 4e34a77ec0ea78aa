import Foundation
import ScoreKitCore
import ScoreKitMetrics
import ScoreKitNetworks
import ScoreKitRunner
import Testing

/// The energy and MALA recipes at a small size, end to end: `ring-energy-mala` trains an energy
/// network, saves and reloads it, and samples it with MALA; `exact-ring-mala` samples the exact
/// ring. Both report their acceptance rate beside the samples.
@Suite("energy and mala recipes", .serialized)
struct EnergyRecipeTests {
    static let recipes = TrainCommandTests.repository.appendingPathComponent("recipes").path

    static func overrides(_ texts: [String]) throws -> [ConfigurationOverride] {
        try texts.map { text throws(ConfigurationError) in try ConfigurationOverride(parsing: text) }
    }

    @Test("ring-energy-mala at a small size: trains, reloads from its checkpoint, samples with an acceptance rate")
    func energyRecipe() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var training = TrainingSession.Options(recipePath: Self.recipes + "/ring-energy-mala.yaml")
        training.outputFolder = dir + "/run"
        training.pictures = false
        training.overrides = try Self.overrides([
            "training.steps=150", "training.batchSize=128", "training.checkpointEvery=0", "data.count=2000",
            "network.hiddenWidths=[32, 32]", "network.embeddingWidth=8",
        ])
        let trained = try TrainingSession(options: training, registry: exactRegistry).run()
        #expect(trained.step == 150)

        // The checkpoint holds the trunk's weights under mlp's names, and loads back into an
        // energy network whose process knows its log-density.
        let checkpoint = try Checkpoint.read(dir + "/run/checkpoint-final.safetensors")
        #expect(checkpoint.average["l3.weight"]?.shape == [1, 32])
        let run = try RunModel.load(RunModel.Source(path: dir + "/run"), registry: exactRegistry)
        let model = try #require(run.model as? EnergyNetwork)
        for name in model.parameters.names {
            #expect(model.parameters[name] == checkpoint.average[name], "\(name)")
        }
        #expect(run.reverseProcess() is any LogDensityProcess)
        // The same weights in a fresh network give the same output: nothing else is kept.
        var fresh = try #require(run.recipe.network).makeModel(sampleShape: [2], classCount: 0, seed: 99)
        #expect(fresh.parameters != model.parameters)
        fresh.parameters = model.parameters
        let x = Tensor([0.5, 4.8, -3.0, 1.0], shape: [2, 2])
        let condition = NoiseCondition(count: 2, time: 0.2, marginal: run.sde.marginal(at: 0.2))
        #expect(fresh(x, condition) == model(x, condition))

        var sampling = SamplingSession.Options(source: dir + "/run")
        sampling.count = 128
        sampling.pictures = false
        sampling.overrides = try Self.overrides(["sampler.steps=5"])
        let sampled = try SamplingSession(options: sampling, registry: exactRegistry).run()
        #expect(sampled.samples.isFinite)
        #expect(sampled.evaluationCount == 12 * 6)
        let acceptance = try #require(sampled.report.acceptance)
        #expect(acceptance.proposed == Array(repeating: 128 * 5, count: 12))
        let rate = try #require(acceptance.rate)
        #expect(rate > 0 && rate < 1, "acceptance rate \(rate)")
        #expect(sampled.reportPath == dir + "/run/samples.sampling.json")
        let json = try String(contentsOfFile: sampled.reportPath, encoding: .utf8)
        #expect(json.hasPrefix("{\"sampler\":\"mala\",\"timeGrid\":\"karras\",\"count\":128,"), "\(json)")
        #expect(json.contains("\"acceptance\":{\"rate\":\(rate),\"steps\":[{\"time\":1.0,\"proposed\":640,"))
    }

    @Test("exact-ring-mala at a small size: the ring's modes, an acceptance rate near 1")
    func exactRecipe() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var sampling = SamplingSession.Options(source: Self.recipes + "/exact-ring-mala.yaml")
        sampling.count = 800
        sampling.output = dir + "/samples.npy"
        sampling.pictures = false
        sampling.overrides = try Self.overrides(["sampler.steps=20"])
        let sampled = try SamplingSession(options: sampling, registry: exactRegistry).run()
        #expect(sampled.evaluationCount == 12 * 21)
        let rate = try #require(sampled.report.acceptance?.rate)
        // Step 0.02 against modes of variance ≥ 0.16: few rejections, but some.
        #expect(rate > 0.8 && rate < 1, "acceptance rate \(rate)")
        var evaluation = EvaluationSession.Options(source: Self.recipes + "/exact-ring-mala.yaml")
        evaluation.samples = dir + "/samples.npy"
        let evaluated = try EvaluationSession(options: evaluation, registry: exactRegistry).run()
        let mixture = try #require(evaluated.report.mixture)
        // 800 samples: a share's standard error is ≈ 0.012; allow 4 of them.
        #expect(mixture.largestShareError.error < 0.05, "\(mixture.componentShares)")
        #expect(mixture.offManifoldFraction < 0.02)
        #expect(evaluated.report.energyDistance < 0.02, "energy distance \(evaluated.report.energyDistance)")
    }
}
