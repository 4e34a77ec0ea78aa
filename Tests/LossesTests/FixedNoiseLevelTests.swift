import Foundation
import ScoreKitCore
import ScoreKitLosses
import Testing

/// Denoising score matching at one fixed σ (Vincent 2011): on a process whose noise level is σ
/// at every time, DSM with its default settings is minimised by the score of the data convolved
/// with N(0, σ²I). For Gaussian data N(μ, s²I) that score is −(x − μ)/(s² + σ²), and the loss
/// there has the closed form ½·s²/(s² + σ²) (`reduction: mean`, λ = σ²).
@Suite struct FixedNoiseLevelTests {
    /// α = 1 and σ = `sigma` at every t ∈ [0.01, 1]: the variance-exploding process with
    /// sigmaMin = sigmaMax, written here so that the test depends on no SDE module.
    struct FixedNoiseProcess: ForwardSDE {
        var sigma: Double
        var timeRange: ClosedRange<Double> { 0.01...1 }
        func marginal(at time: Double) -> Marginal {
            Marginal(signalScale: 1, noiseScale: sigma, signalScaleDerivative: 0, noiseScaleDerivative: 0)
        }
        func time(forLogSignalToNoiseRatio logSignalToNoiseRatio: Double) -> Double { timeRange.lowerBound }
    }

    static let (mean, s, sigma, count) = ([1.0, -0.5], 0.7, 0.5, 20_000)

    /// x₀ = μ + s·z, z from Philox stream 0 of seed 2011.
    static let data: Tensor = {
        let z = normalTensor([count, 2], seed: 2011).scalars
        return Tensor((0..<(2 * count)).map { Float(mean[$0 % 2] + s * Double(z[$0])) }, shape: [count, 2])
    }()

    /// The ε-prediction of the exact score of p_σ, F = −σ·∇log p_σ = σ(x − μ)/(s² + σ²), plus `shift`.
    static func exactModel(shift: Double = 0) -> LinearModel {
        let c = sigma / (s * s + sigma * sigma)
        return LinearModel(
            a: [[Float(c), 0], [0, Float(c)]], b: mean.map { Float(-c * $0 + shift) })
    }

    /// The loss's value and its gradient with respect to b, with noise from seed 7.
    static func evaluate(_ model: LinearModel) throws -> (value: Double, gradient: [Double]) {
        var registry = ComponentRegistry()
        registry.registerLosses()
        let loss = try registry.make(.loss, from: ["kind": "denoising-score-matching"])
        var tracked = model
        tracked.parameters = model.parameters.tracked()
        var noise = PerSampleNoise(seed: 7)
        let value = Autodiff.withRecording {
            loss.evaluate(
                TrainingBatch(data: data), model: tracked, sde: FixedNoiseProcess(sigma: sigma),
                parameterization: PredictionParameterization(.epsilon), noise: &noise
            ).value
        }
        let gradient = gradients(of: value, wrt: tracked.parameters.tensors)[1].scalars.map(Double.init)
        return (Double(value.scalars[0]), gradient)
    }

    @Test("the loss at the exact score of p_σ is its analytic minimum ½·s²/(s² + σ²)")
    func minimumAtTheExactScore() throws {
        let (s, sigma, count) = (Self.s, Self.sigma, Self.count)
        let total = s * s + sigma * sigma
        let minimum = 0.5 * s * s / total
        // Each sample's term is ½·(s²/S)·(mean of two χ²₁): standard deviation ½·s²/S.
        let standardError = minimum / Double(count).squareRoot()
        let (value, _) = try Self.evaluate(Self.exactModel())
        #expect(abs(value - minimum) < 4 * standardError, "loss \(value), analytic minimum \(minimum)")
        let (shifted, _) = try Self.evaluate(Self.exactModel(shift: 0.2))
        // A constant error c in ε adds ½·‖c‖²/D = ½·0.04 to the minimum.
        #expect(abs(shifted - value - 0.02) < 4 * standardError, "shifted loss \(shifted), minimum \(value)")
    }

    @Test("the loss's gradient vanishes at the exact score of p_σ and is c/D beside it")
    func gradientAtTheExactScore() throws {
        let (s, sigma, count) = (Self.s, Self.sigma, Self.count)
        // ∂L/∂b = mean(F − ε)/D; at the exact score F − ε has variance s²/(s² + σ²) per coordinate.
        let standardError = 0.5 * (s * s / (s * s + sigma * sigma)).squareRoot() / Double(count).squareRoot()
        let (_, atOptimum) = try Self.evaluate(Self.exactModel())
        #expect(atOptimum.allSatisfy { abs($0) < 4 * standardError }, "gradient \(atOptimum)")
        let (_, beside) = try Self.evaluate(Self.exactModel(shift: 0.2))
        #expect(beside.allSatisfy { abs($0 - 0.1) < 4 * standardError }, "gradient \(beside), expected 0.1 each")
    }

    @Test("the loss's own sigmaMin = sigmaMax says to give the process the one noise level")
    func equalLossLevelsPointToTheProcess() {
        var registry = ComponentRegistry()
        registry.registerLosses()
        let error = #expect(throws: ConfigurationError.self) {
            _ = try registry.make(.loss, from: ["kind": "denoising-score-matching", "sigmaMin": 0.5, "sigmaMax": 0.5])
        }
        #expect(
            error?.description.contains(
                "expected a number > sigmaMin (0.5); for one fixed noise level σ, give the process one (sde: { kind: "
                    + "variance-exploding, sigmaMin: σ, sigmaMax: σ }) and keep these keys' defaults") == true,
            "\(error.map { "\($0)" } ?? "")")
    }
}
