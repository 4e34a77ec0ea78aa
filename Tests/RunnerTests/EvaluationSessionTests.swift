import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitRunner
import Testing

/// `scorekit evaluate`: the session reads a recipe and samples, writes JSON other tools read,
/// and reports bad input with a message.
@Suite("scorekit evaluate")
struct EvaluationSessionTests {
    static let recipe = """
        sde:  { kind: variance-exploding }
        data: { kind: ring, count: 4000, heldOutFraction: 0.25 }
        evaluation: { pointLimit: 1000, projectionCount: 64 }
        seed: 1

        """

    /// `count` exact draws of the default ring, from `seed`.
    static func ringSamples(_ count: Int, seed: UInt64) -> Tensor {
        var noise = PerSampleNoise(seed: seed)
        return GaussianMixture.ring().sample(count: count, noise: &noise)
    }

    @Test("exact ring draws score near 0 against held-out data; shifted draws do not")
    func exactAgainstShifted() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipePath = try writeRecipe(Self.recipe, in: dir)
        let good = Self.ringSamples(2000, seed: 11)
        try NumPyFile.write(good, to: dir + "/good.npy")
        try NumPyFile.write(good + Tensor([1, 0], shape: [1, 2]), to: dir + "/shifted.npy")

        var options = EvaluationSession.Options(source: recipePath)
        options.samples = dir + "/good.npy"
        let summary = try EvaluationSession(options: options, registry: trainingRegistry).run()
        #expect(summary.outputPath == dir + "/good.evaluation.json")
        let report = summary.report
        #expect(
            report.referenceCount == 1000 && report.pairPointCount.samples == 1000
                && report.pairPointCount.reference == 1000)
        #expect(abs(report.energyDistance) < 0.01 && abs(report.maximumMeanDiscrepancySquared) < 0.003)
        // Measured: energy 0.005, MMD² 4e-4, SW₂ 0.27 (quantile noise of 1000 reference points).
        #expect(report.slicedWasserstein2 < 0.4)
        let m = try #require(report.mixture)
        #expect(m.componentShares.allSatisfy { abs($0 - 0.125) < 0.03 })
        #expect(m.offManifoldFraction < 0.002)
        let mean = try #require(m.meanLogDensity)
        #expect(abs(mean - (try #require(m.referenceMeanLogDensity))) < 0.1)

        options.samples = dir + "/shifted.npy"
        let shifted = try EvaluationSession(options: options, registry: trainingRegistry).run().report
        // A shift by 1 along x₁: SW₂² ≈ ½ + the noise floor; measured energy 0.17, SW₂ 0.74.
        #expect(shifted.energyDistance > 0.1 && shifted.slicedWasserstein2 > 0.6)
        #expect(try #require(shifted.mixture).offManifoldFraction > 0.05)
        #expect(try #require(shifted.mixture?.meanLogDensity) < mean - 1)

        // The file is JSON with the stated bandwidth.
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summary.outputPath)))
        let json = try #require(object as? [String: Any])
        let mmd = try #require(json["mmd"] as? [String: Any])
        #expect(mmd["kernel"] as? String == "rbf" && (mmd["bandwidth"] as? Double ?? 0) > 0)
        #expect((json["mixture"] as? [String: Any])?["componentShares"] as? [Double] != nil)
        #expect(json["reference"] as? String == "held-out part of data set 'ring'")
    }

    @Test("samples of the wrong width, a recipe without samples and bad evaluation keys are errors")
    func errors() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipePath = try writeRecipe(Self.recipe, in: dir)
        try NumPyFile.write(Tensor(repeating: 0, shape: [5, 3]), to: dir + "/wide.npy")
        var options = EvaluationSession.Options(source: recipePath)
        options.samples = dir + "/wide.npy"
        let error = #expect(throws: EvaluationError.self) {
            try EvaluationSession(options: options, registry: trainingRegistry).run()
        }
        #expect(
            error?.description
                == "\(dir)/wide.npy: error: cannot evaluate these samples: its shape is [5, 3]; the data needs [N, 2]\n"
                + "  give the .npy file `scorekit sample` wrote for this recipe")
        options.samples = nil
        let missing = #expect(throws: EvaluationError.self) {
            try EvaluationSession(options: options, registry: trainingRegistry).run()
        }
        #expect(missing?.description.contains("give --samples FILE.npy") == true)
        let bad = trainingResolutionError(
            Self.recipe.replacingOccurrences(of: "pointLimit: 1000", with: "bandwith: 1"))
        #expect(bad?.description.contains("did you mean 'bandwidth'") == true)
        let negative = trainingResolutionError(
            Self.recipe.replacingOccurrences(of: "projectionCount: 64", with: "projectionCount: 0"))
        #expect(negative?.description.contains("evaluation.projectionCount") == true)
    }
}
