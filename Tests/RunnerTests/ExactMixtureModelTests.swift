import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitRunner
import ScoreKitSamplers
import Testing

/// The registry of `scorekit`.
let exactRegistry = ComponentRegistry.standard()

/// A recipe whose network is the exact mixture of its data.
func exactRecipe(
    sde: String = "{ kind: variance-preserving, betaMin: 0.1, betaMax: 20 }", parameterization: String = "epsilon",
    data: String = "{ kind: ring, count: 2000, heldOutFraction: 0.1 }", extra: String = ""
) -> String {
    """
    sde:              \(sde)
    parameterization: { kind: \(parameterization) }
    network:          { kind: exact-mixture }
    data:             \(data)
    timeGrid:         { kind: uniform, steps: 200, finalStep: toZero }
    sampler:          { kind: heun }
    likelihood:       { startTime: 1e-5, solver: { rtol: 1e-6, atol: 1e-6 } }
    seed: 2
    \(extra)
    """
}

/// `network: exact-mixture`: the exact model needs no checkpoint, denoises as the Networks
/// module's closed form, and its likelihood and encoding meet the analytic values.
@Suite("exact-mixture network, likelihood, encode and decode", .serialized)
struct ExactMixtureModelTests {
    /// The recipe `yaml`, written into `dir`, loaded as a run model.
    static func load(_ yaml: String, in dir: String) throws -> RunModel {
        try RunModel.load(.init(path: try writeRecipe(yaml, in: dir)), registry: exactRegistry)
    }

    @Test(
        "x̂₀ of the exact network matches GaussianMixture's at t = 0.05, 0.3, 0.9 for every target",
        arguments: ["epsilon", "score", "denoised", "velocity", "flow-velocity", "edm"],
        [
            "{ kind: variance-preserving, betaMin: 0.1, betaMax: 20 }",
            "{ kind: variance-exploding, sigmaMin: 0.01, sigmaMax: 10 }",
        ])
    func denoiser(parameterization: String, sde: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.load(exactRecipe(sde: sde, parameterization: parameterization), in: dir)
        var noise = PerSampleNoise(seed: 5)
        let x = noise.normal([64, 2]) * 4
        for t in [0.05, 0.3, 0.9] {
            let model = run.reverseProcess().denoised(x, at: t)
            let exact = GaussianMixture.ring().denoised(x, marginal: run.sde.marginal(at: t))
            let error = (model - exact).scalars.map { Swift.abs($0) }.max() ?? .infinity
            #expect(error < 2e-3, "t = \(t): max |Δx̂₀| = \(error)")
        }
    }

    /// An anisotropic, correlated, unequal-weight 2-D mixture, in the recipe's three forms.
    static let correlatedData =
        "{ kind: gaussian-mixture, count: 2000, heldOutFraction: 0.1, means: [[-2, 1], [2, -1], [0, 3]], "
        + "weights: [0.5, 0.3, 0.2], covariances: [[[1.0, 0.8], [0.8, 1.0]], [[0.3, -0.2], [-0.2, 0.5]], "
        + "[[2.0, 0.0], [0.0, 0.1]]] }"
    static func correlated() throws -> GaussianMixture {
        try GaussianMixture(
            weights: [0.5, 0.3, 0.2], means: [[-2, 1], [2, -1], [0, 3]],
            covariances: [
                .full([[1.0, 0.8], [0.8, 1.0]]), .full([[0.3, -0.2], [-0.2, 0.5]]), .diagonal([2.0, 0.1]),
            ])
    }
    static let diagonalData =
        "{ kind: gaussian-mixture, count: 2000, means: [[-2, 0], [2, 1]], weights: [1, 3], "
        + "variances: [[0.5, 0.1], [0.1, 2.0]] }"
    static func diagonal() throws -> GaussianMixture {
        try GaussianMixture(
            weights: [1, 3], means: [[-2, 0], [2, 1]], covariances: [.diagonal([0.5, 0.1]), .diagonal([0.1, 2.0])])
    }

    @Test(
        "full and diagonal covariances: x̂₀ and log p_t of the exact network match GaussianMixture's under VP, sub-VP and both VE marginals",
        arguments: ["epsilon", "score", "velocity", "edm"],
        [
            "{ kind: variance-preserving, betaMin: 0.1, betaMax: 20 }",
            "{ kind: sub-variance-preserving, betaMin: 0.1, betaMax: 20 }",
            "{ kind: variance-exploding, sigmaMin: 0.01, sigmaMax: 10 }",
            "{ kind: variance-exploding, sigmaMin: 0.01, sigmaMax: 10, marginal: exact }",
        ])
    func covariances(parameterization: String, sde: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (data, mixture) in [(Self.correlatedData, try Self.correlated()), (Self.diagonalData, try Self.diagonal())]
        {
            let run = try Self.load(exactRecipe(sde: sde, parameterization: parameterization, data: data), in: dir)
            var noise = PerSampleNoise(seed: 6)
            let x = noise.normal([64, 2]) * 3
            for t in [0.02, 0.3, 0.9] {
                let marginal = run.sde.marginal(at: t)
                let model = run.reverseProcess().denoised(x, at: t)
                let exact = mixture.denoised(x, marginal: marginal)
                let scale = exact.scalars.map { Swift.abs($0) }.max() ?? 1
                let error = (model - exact).scalars.map { Swift.abs($0) }.max() ?? .infinity
                #expect(error < 2e-3 * Swift.max(1, scale), "t = \(t): max |Δx̂₀| = \(error)")
                let density = try #require(run.model as? any LogDensityModel)
                let condition = NoiseCondition(
                    time: Tensor([Float](repeating: Float(t), count: 64), shape: [64]),
                    signalScale: Tensor([Float](repeating: Float(marginal.signalScale), count: 64), shape: [64]),
                    noiseScale: Tensor([Float](repeating: Float(marginal.noiseScale), count: 64), shape: [64]))
                let logP = density.logDensityAndOutput(
                    x, condition, marginal: marginal,
                    preconditioning: run.parameterization.preconditioning(for: marginal)
                ).logDensity
                let exactLogP = mixture.logDensity(x, marginal: marginal)
                let logError = (logP - exactLogP).scalars.map { Swift.abs($0) }.max() ?? .infinity
                #expect(logError < 1e-3, "t = \(t): max |Δ log p_t| = \(logError)")
            }
        }
    }

    /// The full-covariance mixture's exact-trace likelihood within 0.01 nats of its analytic
    /// log p at t = 1e-5 on 30 held-out points, once the prior's share is exact: the estimate is
    /// log N(x_T; prior) + ∫∇·F, and p_T is not quite the prior (under VP at T = 1, α(T) = 0.0066
    /// moves the means by up to 0.02), so log N(x_T) is swapped for the mixture's own log p_T(x_T)
    /// at the estimate's latents. Then only the ODE and the divergence are checked; the prior's
    /// share itself is bounded separately (score_sde's estimator has the same bias).
    @Test(
        "correlated mixture: likelihood within 0.01 nats of the analytic log p at t = 1e-5",
        arguments: [
            "{ kind: variance-preserving, betaMin: 0.1, betaMax: 20 }",
            "{ kind: sub-variance-preserving, betaMin: 0.1, betaMax: 20 }",
            "{ kind: variance-exploding, sigmaMin: 0.01, sigmaMax: 50 }",
        ])
    func correlatedLikelihood(sde: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = try writeRecipe(exactRecipe(sde: sde, data: Self.correlatedData), in: dir)
        var options = FlowSession.Options(source: recipe)
        options.limit = 30
        options.output = dir + "/ll.npy"
        let summary = try FlowSession(.likelihood, options: options, registry: exactRegistry).run()
        let estimate = try #require(summary.estimate)
        let run = try RunModel.load(.init(path: recipe), registry: exactRegistry)
        let points = run.referenceData.slice(alongAxis: 0, 0..<30)
        let mixture = try Self.correlated()
        let exact = mixture.logDensity(points, marginal: run.sde.marginal(at: 1e-5)).scalars
        let terminal = mixture.logDensity(
            estimate.latents, marginal: run.sde.marginal(at: run.sde.timeRange.upperBound))
        var errors: [Double] = []
        var priorShares: [Double] = []
        for i in 0..<30 {
            let prior = estimate.priorLogDensities[i]
            errors.append(
                Swift.abs(estimate.logLikelihoods[i] - prior + Double(terminal.scalars[i]) - Double(exact[i])))
            priorShares.append(Swift.abs(Double(terminal.scalars[i]) - prior))
        }
        let error = errors.max() ?? .infinity
        #expect(error < 0.01, "\(sde): max |Δ log p| = \(error) nats")
        #expect((priorShares.max() ?? .infinity) < 0.05, "\(sde): prior's share up to \(priorShares.max() ?? .nan)")
    }

    /// `likelihood --probes`: Hutchinson's estimate with the probes of
    /// Tests/Fixtures/likelihood-reference.safetensors equals SciPy's integration with the same
    /// probes (scripts/fixtures/likelihood_reference.py) within 1e-3 nats per point, and the
    /// exact trace SciPy's exact-trace integration.
    @Test func probesReplayTheReferenceIntegration() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fixture = try SafeTensorsFile.read(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/likelihood-reference.safetensors").path)
        try NumPyFile.write(try fixture.tensor("points"), to: dir + "/points.npy")
        try NumPyFile.write(try fixture.tensor("probes"), to: dir + "/probes.npy")
        for (divergence, reference) in [("hutchinson, probeCount: 2", "hutchinson"), ("exact", "exact")] {
            let recipe = exactRecipe(data: Self.correlatedData)
                .replacingOccurrences(
                    of: "likelihood:       { startTime: 1e-5, solver: { rtol: 1e-6, atol: 1e-6 } }",
                    with:
                        "likelihood:       { divergence: \(divergence), startTime: 1e-5, solver: { rtol: 1e-7, atol: 1e-7 } }"
                )
            var options = FlowSession.Options(source: try writeRecipe(recipe, named: reference + ".yaml", in: dir))
            options.input = dir + "/points.npy"
            options.output = dir + "/\(reference).npy"
            if reference == "hutchinson" { options.probes = dir + "/probes.npy" }
            let summary = try FlowSession(.likelihood, options: options, registry: exactRegistry).run()
            let expected = try fixture.tensor(reference).scalars
            let error = zip(summary.result.scalars, expected).map { Swift.abs(Double($0 - $1)) }.max() ?? .infinity
            #expect(error <= 1e-3, "\(reference): max |Δ log p| = \(error) nats")
        }
    }

    @Test("the recipe's mixture forms: one matrix or vector for all, errors named by key")
    func mixtureForms() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let shared = exactRecipe(
            data: "{ kind: gaussian-mixture, count: 100, means: [[0, 0], [3, 0]], covariances: [[[1, 0.5], [0.5, 1]]] }"
        )
        _ = try Self.load(shared, in: dir)
        let notDefinite = #expect(throws: (any Error).self) {
            _ = try Self.load(
                exactRecipe(
                    data:
                        "{ kind: gaussian-mixture, count: 100, means: [[0, 0], [3, 0]], covariances: [[[1, 2], [2, 1]]] }"
                ),
                in: dir)
        }
        #expect("\(notDefinite.map { "\($0)" } ?? "")".contains("covariances.0"))
        let negative = #expect(throws: (any Error).self) {
            _ = try Self.load(
                exactRecipe(
                    data:
                        "{ kind: gaussian-mixture, count: 100, means: [[0, 0], [3, 0]], variances: [[1, 1], [1, -1]] }"),
                in: dir)
        }
        #expect("\(negative.map { "\($0)" } ?? "")".contains("variances.1"))
        let both = #expect(throws: (any Error).self) {
            _ = try Self.load(
                exactRecipe(
                    data: "{ kind: gaussian-mixture, count: 100, means: [[0, 0]], variances: [[1, 1]], "
                        + "covariances: [[[1, 0], [0, 1]]] }"),
                in: dir)
        }
        #expect("\(both.map { "\($0)" } ?? "")".contains("not both"))
    }

    @Test("N(0, I) data under VP: the probability flow is the identity, log p is log N(x; 0, I)")
    func standardNormal() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let yaml = exactRecipe(data: "{ kind: gaussian-mixture, means: [[0, 0]], standardDeviations: [1], count: 500 }")
        let recipe = try writeRecipe(yaml, in: dir)
        var noise = PerSampleNoise(seed: 9)
        let x = noise.normal([50, 2])
        try NumPyFile.write(x, to: dir + "/x.npy")

        var options = FlowSession.Options(source: recipe)
        options.input = dir + "/x.npy"
        let encoded = try FlowSession(.encode, options: options, registry: exactRegistry).run(roundTrip: true)
        #expect(encoded.outputPath == dir + "/x.latents.npy")
        let moved = (encoded.result - x).scalars.map { Swift.abs($0) }.max() ?? .infinity
        #expect(moved < 1e-4, "max |x_T − x₀| = \(moved)")
        #expect(try #require(encoded.roundTripError) < 1e-4)

        let likelihood = try FlowSession(.likelihood, options: options, registry: exactRegistry).run()
        let read = try NumPyFile.read(likelihood.outputPath)
        #expect(read.shape == [50])
        let exact = x.scalars.indices.filter { $0 % 2 == 0 }.map { i -> Double in
            let (a, b) = (Double(x.scalars[i]), Double(x.scalars[i + 1]))
            return -Foundation.log(2 * Double.pi) - 0.5 * (a * a + b * b)
        }
        let error = zip(read.scalars, exact).map { Swift.abs(Double($0) - $1) }.max() ?? .infinity
        #expect(error < 1e-3, "max |Δ log p| = \(error) nats")
    }

    @Test("ring under VP: likelihood within 0.02 nats of the analytic log p at t = 1e-5; decode inverts encode")
    func ring() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = try writeRecipe(exactRecipe(), in: dir)
        var options = FlowSession.Options(source: recipe)
        options.limit = 40  // the first held-out points
        options.output = dir + "/ll.npy"
        let summary = try FlowSession(.likelihood, options: options, registry: exactRegistry).run()
        #expect(try NumPyFile.read(dir + "/ll.npy") == summary.result)
        options.output = nil
        let run = try RunModel.load(.init(path: recipe), registry: exactRegistry)
        let points = run.referenceData.slice(alongAxis: 0, 0..<40)
        let exact = GaussianMixture.ring().logDensity(points, marginal: run.sde.marginal(at: 1e-5)).scalars
        let error = zip(summary.result.scalars, exact).map { Swift.abs(Double($0 - $1)) }.max() ?? .infinity
        #expect(error < 0.02, "max |Δ log p| = \(error) nats")

        try NumPyFile.write(points, to: dir + "/p.npy")
        options.input = dir + "/p.npy"
        let latents = try FlowSession(.encode, options: options, registry: exactRegistry).run()
        options.input = latents.outputPath
        let decoded = try FlowSession(.decode, options: options, registry: exactRegistry).run()
        let rms = Double(square(decoded.result - points).mean().scalars[0]).squareRoot()
        #expect(rms < 1e-3, "round-trip RMS \(rms)")
        #expect(decoded.outputPath == dir + "/p.latents.decoded.npy")
    }

    @Test("train refuses an exact network; standardised data and a non-mixture are errors")
    func refusals() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let yaml = exactRecipe(extra: "loss: { kind: denoising-score-matching }\noptimizer: { kind: adam }\n")
        var options = TrainingSession.Options(recipePath: try writeRecipe(yaml, in: dir))
        options.outputFolder = dir + "/run"
        let error = #expect(throws: TrainingError.self) {
            try TrainingSession(options: options, registry: exactRegistry).run()
        }
        #expect(error?.description.contains("network 'exact-mixture' is exact and has nothing to train") == true)

        let standardised = #expect(throws: RunModelError.self) {
            _ = try Self.load(exactRecipe(data: "{ kind: ring, count: 100, standardization: perDimension }"), in: dir)
        }
        #expect(standardised?.description.contains("set data.standardization: none") == true)
        let moons = #expect(throws: RunModelError.self) {
            _ = try Self.load(exactRecipe(data: "{ kind: two-moons, count: 100 }"), in: dir)
        }
        #expect(moons?.description.contains("data set 'two-moons' is not one") == true)
    }

    @Test("sampling the exact ring with Heun gives the ring: energy distance < 0.01 against held-out data")
    func sampling() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = SamplingSession.Options(source: try writeRecipe(exactRecipe(), in: dir))
        options.count = 1000
        options.output = dir + "/s.npy"
        options.pictures = false
        let samples = try SamplingSession(options: options, registry: exactRegistry).run().samples
        var evaluation = EvaluationSession.Options(source: options.source)
        evaluation.samples = dir + "/s.npy"
        let report = try EvaluationSession(options: evaluation, registry: exactRegistry).run().report
        #expect(samples.shape == [1000, 2])
        #expect(report.energyDistance < 0.01, "energy distance \(report.energyDistance)")
        #expect(try #require(report.mixture).offManifoldFraction < 0.01)
    }
}
