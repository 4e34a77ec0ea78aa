import Foundation
public import ScoreKitCore

/// Multistep consistency sampling (Song et al. 2023, Algorithm 1): the consistency function maps
/// a noisy sample straight to data; more steps re-noise that estimate to a lower level and map again.
///
/// ```
/// step from t_i to t_{i+1}:   x̂₀ = f(x, t_i)                                  (one evaluation)
///   t_{i+1} = 0:              x = x̂₀
///   else:                     x = α(t_{i+1})·(x̂₀ + √(σ̃_{i+1}² − σ̃_min²)·z),   z ~ N(0, I)
/// ```
/// f is the model's denoised estimate, the consistency function of a run trained with the
/// `consistency` parameterization; σ̃ = σ/α, σ̃_min that of the process's smallest time. The
/// time grid chooses the levels: `karras` with `steps: 1` is one evaluation at T, and
/// `{ kind: times, times: [80, 0.8, 0] }` is two evaluations with the intermediate level given.
/// N steps, N evaluations.
/// - Limitations: for any other parameterization f is the one-step denoiser, a blurred mean.
///   Stochastic between steps (`order` is `nil`).
public struct ConsistencySampler: Sampler {
    public struct Configuration: ComponentConfiguration, Equatable {
        public init() {}
    }

    public let configuration: Configuration

    public init() { configuration = Configuration() }

    public init(configuration: Configuration) { self.configuration = configuration }

    public var order: Int? { nil }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let denoised = process.denoised(x, at: step.start)
        if step.end == 0 { return denoised }
        let next = process.marginal(at: step.end)
        let floor = process.marginal(at: process.sde.timeRange.lowerBound).noiseLevel
        let level = next.noiseLevel
        let spread = Swift.max(level * level - floor * floor, 0).squareRoot()
        guard spread > 0 else { return denoised * Float(next.signalScale) }
        let z = noise.normal(x.shape)
        return (denoised + z * Float(spread)) * Float(next.signalScale)
    }
}

extension ConsistencySampler: RegisteredComponent {
    public static let id: ComponentID = "consistency"
    public static let summary =
        "multistep consistency sampling: x̂₀ = f(x, t), re-noised between steps (Song et al. 2023)"
}
