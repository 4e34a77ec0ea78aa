import Foundation
import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import Testing

/// Every score-matching loss recovers the score of a Gaussian: fitting s(x) = A·x + b to samples
/// of N(μ, Σ) by Adam gives A ≈ −C⁻¹, b ≈ C⁻¹μ̂, with C = Σ̂ on clean data and C = Σ̂ + σ₀²I on
/// data perturbed at the noise level σ₀ (the minimiser of denoising score matching there).
@Suite(.tags(.slow)) struct GaussianRecoveryTests {
    static let mean = [1.0, -0.5]
    static let covariance = [[1.0, 0.6], [0.6, 2.0]]
    static let sampleCount = 3000
    /// σ₀ of the perturbed fits: one noise level (`noiseLevels` with L = 1) on α = 1, σ = t.
    static let sigma0 = 0.3

    /// x = μ + L·z, L the Cholesky factor of Σ, z from Philox stream 0 of seed 2019.
    static let data: Tensor = {
        let l11 = covariance[0][0].squareRoot()
        let l21 = covariance[1][0] / l11
        let l22 = (covariance[1][1] - l21 * l21).squareRoot()
        let z = rows(normalTensor([sampleCount, 2], seed: 2019))
        var values: [Float] = []
        for row in z {
            let first: Double = mean[0] + l11 * row[0]
            let second: Double = mean[1] + l21 * row[0] + l22 * row[1]
            values.append(Float(first))
            values.append(Float(second))
        }
        return Tensor(values, shape: [sampleCount, 2])
    }()

    /// μ̂ and Σ̂ (divided by n) of the samples, in Double.
    static let sampleMoments: (mean: [Double], covariance: [[Double]]) = {
        let x = rows(data)
        let n = Double(x.count)
        var m = [0.0, 0.0]
        for row in x { for j in 0..<2 { m[j] += row[j] / n } }
        var c = [[0.0, 0.0], [0.0, 0.0]]
        for row in x {
            for i in 0..<2 { for j in 0..<2 { c[i][j] += (row[i] - m[i]) * (row[j] - m[j]) / n } }
        }
        return (m, c)
    }()

    /// (−C⁻¹, C⁻¹μ) for C = `covariance` + s²I.
    static func optimum(covariance c: [[Double]], mean m: [Double], noise s: Double) -> (a: [[Double]], b: [Double]) {
        let (p, q, r) = (c[0][0] + s * s, c[0][1], c[1][1] + s * s)
        let det = p * r - q * q
        let inverse = [[r / det, -q / det], [-q / det, p / det]]
        return (inverse.map { $0.map { -$0 } }, inverse.map { dot($0, m) })
    }

    /// Adam (peak 0.05, cosine decay to 0) on the full batch from A = 0, b = 0, with the score parameterization.
    static func fit(_ loss: some Loss, steps: Int = 400, seed: UInt64) -> LinearModel {
        var model = LinearModel(a: [[0, 0], [0, 0]], b: [0, 0])
        let adam = Adam()
        var state = adam.initialState(for: model.parameters)
        let schedule = LearningRateSchedule(kind: .cosine)
        var noise = PerSampleNoise(seed: seed)
        let batch = TrainingBatch(data: data)
        for step in 0..<steps {
            var tracked = model
            tracked.parameters = model.parameters.tracked()
            let value = Autodiff.withRecording {
                loss.evaluate(
                    batch, model: tracked, sde: TestProcess(.exploding),
                    parameterization: PredictionParameterization(.score),
                    noise: &noise
                ).value
            }
            let grads = gradients(of: value, wrt: tracked.parameters.tensors)
            let rate = schedule.learningRate(atStep: step, peak: 0.05, stepCount: steps)
            adam.update(&model.parameters, gradients: grads, state: &state, learningRate: rate)
        }
        return model
    }

    static func registry() -> ComponentRegistry {
        var registry = ComponentRegistry()
        registry.registerLosses()
        return registry
    }

    /// The largest entry-wise error of (A, b) against an optimum.
    static func error(_ model: LinearModel, _ target: (a: [[Double]], b: [Double])) -> Double {
        var worst = 0.0
        for i in 0..<2 {
            for j in 0..<2 { worst = Swift.max(worst, Swift.abs(model.a[i][j] - target.a[i][j])) }
            worst = Swift.max(worst, Swift.abs(model.b[i] - target.b[i]))
        }
        return worst
    }

    static func format(_ model: LinearModel) -> String {
        let f = { (v: Double) in String(format: "%+.4f", v) }
        return
            "A = [[\(f(model.a[0][0])), \(f(model.a[0][1]))], [\(f(model.a[1][0])), \(f(model.a[1][1]))]], b = [\(f(model.b[0])), \(f(model.b[1]))]"
    }

    /// (recipe settings, σ of the data the loss sees, tolerance against the sample optimum).
    static let cases: [(String, ConfigurationValue, Double, Double)] = [
        ("implicit, clean", ["kind": "implicit-score-matching", "data": "clean", "fixedTime": 0.05], 0, 0.005),
        ("sliced VR gaussian, clean", ["kind": "sliced-score-matching", "data": "clean", "fixedTime": 0.05], 0, 0.03),
        (
            "sliced standard rademacher, clean",
            [
                "kind": "sliced-score-matching", "data": "clean", "fixedTime": 0.05, "variant": "standard",
                "projection": "rademacher",
                "projectionCount": 2,
            ], 0, 0.04
        ),
        (
            "denoising, σ₀",
            ["kind": "denoising-score-matching", "timeDistribution": "noiseLevels", "levelCount": 1, "sigmaMax": 0.3],
            sigma0, 0.04
        ),
        (
            "implicit, σ₀",
            ["kind": "implicit-score-matching", "timeDistribution": "noiseLevels", "levelCount": 1, "sigmaMax": 0.3],
            sigma0, 0.04
        ),
        (
            "sliced VR, σ₀",
            ["kind": "sliced-score-matching", "timeDistribution": "noiseLevels", "levelCount": 1, "sigmaMax": 0.3],
            sigma0, 0.04
        ),
    ]

    @Test(arguments: 0..<6)
    func recoversTheGaussianScore(_ index: Int) throws {
        let (name, settings, sigma, tolerance) = Self.cases[index]
        let loss = try Self.registry().make(.loss, from: settings)
        let model = Self.fit(loss, seed: 100 + UInt64(index))
        let moments = Self.sampleMoments
        let sampleOptimum = Self.optimum(covariance: moments.covariance, mean: moments.mean, noise: sigma)
        let truth = Self.optimum(covariance: Self.covariance, mean: Self.mean, noise: sigma)
        let sampleError = Self.error(model, sampleOptimum)
        let truthError = Self.error(model, truth)
        print(
            "\(name): \(Self.format(model)); max error vs sample optimum \(String(format: "%.4f", sampleError)), vs population \(String(format: "%.4f", truthError))"
        )
        #expect(sampleError < tolerance, "\(name): \(Self.format(model)) vs \(sampleOptimum)")
        // Sampling error of Σ̂ with 3000 samples: a few hundredths.
        #expect(truthError < 0.1, "\(name): \(Self.format(model)) vs \(truth)")
    }

    /// Explicit score matching against the true score recovers the population optimum exactly.
    @Test func explicitMatchingRecoversThePopulationScore() throws {
        let truth = Self.optimum(covariance: Self.covariance, mean: Self.mean, noise: 0)
        let (a, b) = (truth.a, truth.b)
        let target = ClosureTargetScore { x, _, _, _ in
            Tensor.linear(
                x, weight: Tensor(a.flatMap { $0.map(Float.init) }, shape: [2, 2]), bias: Tensor(b.map(Float.init)))
        }
        let configuration = try ExplicitScoreMatching.Configuration.decode(
            from: ["data": "clean", "fixedTime": 0.05], path: "loss")
        let model = Self.fit(ExplicitScoreMatching(configuration: configuration, target: target), seed: 7)
        print(
            "explicit, clean: \(Self.format(model)); max error vs population \(String(format: "%.4f", Self.error(model, truth)))"
        )
        #expect(Self.error(model, truth) < 0.005)
    }
}

extension GaussianRecoveryTests {
    /// Printed so that the report shows the optima the fits are compared with.
    @Test func optimaForTheRecord() {
        let moments = Self.sampleMoments
        let f = { (t: (a: [[Double]], b: [Double])) in
            String(
                format: "A = [[%+.4f, %+.4f], [%+.4f, %+.4f]], b = [%+.4f, %+.4f]", t.a[0][0], t.a[0][1], t.a[1][0],
                t.a[1][1], t.b[0], t.b[1])
        }
        print("population −Σ⁻¹, Σ⁻¹μ: \(f(Self.optimum(covariance: Self.covariance, mean: Self.mean, noise: 0)))")
        print("sample −Σ̂⁻¹, Σ̂⁻¹μ̂: \(f(Self.optimum(covariance: moments.covariance, mean: moments.mean, noise: 0)))")
        print(
            "sample at σ₀ = 0.3: \(f(Self.optimum(covariance: moments.covariance, mean: moments.mean, noise: Self.sigma0)))"
        )
        #expect(moments.mean.count == 2)
    }
}
