import Foundation
import ScoreKitCore
import ScoreKitMetrics
import ScoreKitNetworks
import ScoreKitRunner
import Testing

/// Denoising score matching at one fixed σ: recipes/ve-fixed-sigma-langevin.yaml (variance-exploding
/// with sigmaMin = sigmaMax = 0.5) validates with Langevin samplers only, Langevin on the exact
/// mixture at that σ samples p_σ = ring ∗ N(0, σ²I), and a trained model's score is the exact one.
@Suite("fixed-σ denoising score matching", .serialized)
struct FixedNoiseLevelRecipeTests {
    static let path = RecipeFilesTests.recipes + "/ve-fixed-sigma-langevin.yaml"
    static let sigma = 0.5

    /// The shipped recipe's text with its sampler (and time grid) lines replaced.
    static func recipe(sampler: String? = nil, timeGrid: String? = nil) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if let sampler, line.hasPrefix("sampler:") { return "sampler:          " + sampler }
            if let timeGrid, line.hasPrefix("timeGrid:") { return "timeGrid:         " + timeGrid }
            return String(line)
        }.joined(separator: "\n")
    }

    static func error(_ yaml: String) -> RecipeError? {
        do {
            _ = try Recipe(yaml: yaml, source: recipeFile).resolve(with: standardRegistry)
            return nil
        } catch {
            return error
        }
    }

    @Test("Langevin samplers validate on a single noise level", arguments: ["langevin", "annealed-langevin"])
    func stationarySamplersValidate(kind: String) throws {
        let error = Self.error(try Self.recipe(sampler: "{ kind: \(kind), stepSize: 0.02, steps: 10 }"))
        #expect(error == nil, "\(error.map { "\($0)" } ?? "")")
    }

    @Test(
        "samplers that move between noise levels are refused at their kind",
        arguments: ["heun", "euler-maruyama", "ddim", "rk45", "predictor-corrector", "ancestral"])
    func movingSamplersAreRefused(kind: String) throws {
        let yaml = try Self.recipe(sampler: "{ kind: \(kind) }")
        let text = try #require(Self.error(yaml)).description
        let index = yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
            $0.hasPrefix("sampler:")
        }
        let line = 1 + (try #require(index))
        #expect(
            text.contains("\(recipeFile):\(line):27: error: sampler '\(kind)' needs a range of noise levels"), "\(text)"
        )
    }

    @Test("the refusal's wording: what, why and which samplers run")
    func refusalWording() throws {
        let yaml = try Self.recipe(sampler: "{ kind: heun }")
        let text = try #require(Self.error(yaml)).description
        #expect(
            text.contains(
                """
                error: sampler 'heun' needs a range of noise levels, and sde 'variance-exploding' has the single \
                noise level σ/α = 0.5 at every time: its reverse SDE and probability-flow ODE do not move a sample
                  a model of this process knows the score of the data convolved with N(0, σ²) only (denoising score \
                matching at a fixed σ); sample it by Langevin dynamics at that σ: annealed-langevin, langevin, mala
                  or give the process a range of noise levels (sde.sigmaMax above sde.sigmaMin)
                """), "\(text)")
    }

    @Test("a grid spaced by noise level says why it does not fit one noise level")
    func noiseLevelGridIsRefused() throws {
        let text = try #require(Self.error(try Self.recipe(timeGrid: "{ kind: karras, steps: 10 }"))).description
        #expect(
            text.contains(
                "timeGrid 'karras' does not fit sde 'variance-exploding': it spaces its times by noise level, "
                    + "and the process has the single noise level σ/α = 0.5 at every time"), "\(text)")
    }

    /// Squared distance of each row to the nearest of the ring's 8 means, averaged: 2·s² for
    /// N(μ, s²I) components far apart (0.32 for the data, 2·(0.4² + 0.5²) = 0.82 for p_σ).
    static func meanSquaredDistanceToMeans(_ x: Tensor) -> Double {
        let v = x.scalars.map(Double.init)
        let rows = x.shape[0]
        var total = 0.0
        for i in 0..<rows {
            var nearest = Double.infinity
            for k in 0..<8 {
                let angle: Double = 2 * Double.pi * Double(k) / 8
                let dx: Double = v[2 * i] - 5 * Foundation.cos(angle)
                let dy: Double = v[2 * i + 1] - 5 * Foundation.sin(angle)
                nearest = Swift.min(nearest, dx * dx + dy * dy)
            }
            total += nearest
        }
        return total / Double(rows)
    }

    @Test("Langevin at σ on the exact mixture samples p_σ = ring ∗ N(0, σ²I), not the ring")
    func exactLangevinSamplesTheSmoothedRing() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = SamplingSession.Options(source: Self.path)
        options.overrides = [try ConfigurationOverride(parsing: "network={kind: exact-mixture}")]
        options.count = 2000
        options.output = dir + "/samples.npy"
        options.pictures = false
        let samples = try SamplingSession(options: options, registry: exactRegistry).run().samples
        let run = try RunModel.load(.init(path: Self.path, overrides: options.overrides), registry: exactRegistry)
        var noise = PerSampleNoise(seed: 11)
        let data = run.referenceData
        let smoothed = data + noise.normal(data.shape) * Float(Self.sigma)
        let toSmoothed = SampleQuality.energyDistance(samples, smoothed)
        let toData = SampleQuality.energyDistance(samples, data)
        let spread = Self.meanSquaredDistanceToMeans(samples)
        print("fixed σ, exact Langevin: energy distance to p_σ \(toSmoothed), to the data \(toData); spread \(spread)")
        #expect(toSmoothed < 0.01, "energy distance to p_σ \(toSmoothed)")
        // 0.82 for p_σ (0.32 for the data); Langevin's step bias widens a Gaussian of variance v by
        // 1/(1 − ε/2v), about 2.5 %.
        #expect(abs(spread - 0.82) < 0.08, "spread \(spread)")
    }

    @Test("a model trained at σ has the exact score of p_σ", .tags(.slow))
    func trainedScoreIsTheExactOne() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var training = TrainingSession.Options(recipePath: Self.path)
        training.outputFolder = dir + "/run"
        _ = try TrainingSession(options: training, registry: exactRegistry).run()
        let trained = try RunModel.load(.init(path: dir + "/run"), registry: exactRegistry)
        let exact = try RunModel.load(
            .init(path: Self.path, overrides: [try ConfigurationOverride(parsing: "network={kind: exact-mixture}")]),
            registry: exactRegistry)
        var noise = PerSampleNoise(seed: 12)
        let data = exact.referenceData
        let x = data + noise.normal(data.shape) * Float(Self.sigma)
        // Any time: the process has one noise level.
        let learned = trained.reverseProcess().score(x, at: 0.5)
        let truth = exact.reverseProcess().score(x, at: 0.5)
        let relative = (Double(square(learned - truth).mean().scalars[0]) / Double(square(truth).mean().scalars[0]))
            .squareRoot()
        print("fixed σ, trained score against the exact score of p_σ: relative RMS error \(relative)")
        // Measured 0.175 after the recipe's 2,000 steps (an untrained network: about 1).
        #expect(relative < 0.25, "relative RMS error \(relative)")
    }
}
