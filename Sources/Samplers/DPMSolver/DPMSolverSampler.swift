import Foundation
public import ScoreKitCore

/// DPM-Solver, single-step, orders 1–3 (Lu et al. 2022, Algorithms 1 and 2): exponential
/// integrators of the probability-flow ODE in the noise prediction ε̂ = (x − α·x̂₀)/σ.
///
/// ```
/// λ = log(α/σ) (half of Core's log-SNR),  h = λ_t − λ_s,  s_r = t(λ_s + r·h) from the process
/// order 1   x_t = (α_t/α_s)·x − σ_t·(eʰ − 1)·ε̂(x, s)                                   (= DDIM)
/// order 2   u = (α_{s½}/α_s)·x − σ_{s½}(e^{h/2} − 1)·ε̂_s
///           x_t = (α_t/α_s)·x − σ_t(eʰ − 1)·ε̂_s − σ_t(eʰ − 1)·(ε̂(u, s½) − ε̂_s)          (r₁ = ½)
/// order 3   r₁ = ⅓, r₂ = ⅔, D₁ = ε̂(u₁, s_{r₁}) − ε̂_s, D₂ = ε̂(u₂, s_{r₂}) − ε̂_s,
///           u₂ = (α_{s_{r₂}}/α_s)x − σ_{s_{r₂}}(e^{r₂h} − 1)ε̂_s − σ_{s_{r₂}}(r₂/r₁)((e^{r₂h} − 1)/(r₂h) − 1)D₁
///           x_t = (α_t/α_s)·x − σ_t(eʰ − 1)·ε̂_s − (σ_t/r₂)((eʰ − 1)/h − 1)·D₂
/// final step to t = 0: x₀ = x̂₀(x, s)
/// ```
/// `order` model evaluations per step (`order`·N, or `order`·(N − 1) + 1 when the last step
/// goes to t = 0). Intermediate times come from the process's `time(forLogSignalToNoiseRatio:)`.
/// Pairs best with the `log-snr` grid (uniform h). Look-alike: `dpm-solver-plus-plus` predicts
/// x̂₀ and is multistep (one evaluation per step).
/// - Limitations: needs λ(t) invertible over the grid (every ScoreKit process); with guidance
///   at large scales the data-prediction `dpm-solver-plus-plus` is more stable (Lu et al. 2023).
public struct DPMSolverSampler: Sampler {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// The solver's order, 1, 2 or 3 (evaluations per step).
        public var order = 2

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard (1...3).contains(order) else {
                throw .outOfRange(key: "order", value: "\(order)", expected: "1, 2 or 3")
            }
        }
    }

    public let configuration: Configuration

    /// DPM-Solver-2.
    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var order: Int? { configuration.order }

    public func evaluationCount(forStepCount stepCount: Int) -> Int { configuration.order * stepCount }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        if step.end == 0 { return process.denoised(x, at: step.start) }
        let sde = process.sde
        let (ms, mt) = (process.marginal(at: step.start), process.marginal(at: step.end))
        let lambda = ms.halfLogSignalToNoiseRatio
        let h = mt.halfLogSignalToNoiseRatio - lambda
        let epsilon = process.epsilon(x, at: step.start)
        /// The first-order move from s to the point r·h along, and that point's marginal and time.
        func firstOrder(to r: Double) -> (value: Tensor, marginal: Marginal, time: Double) {
            let time = r == 1 ? step.end : sde.time(forHalfLogSignalToNoiseRatio: lambda + r * h)
            let m = r == 1 ? mt : process.marginal(at: time)
            let value =
                x * Float(m.signalScale / ms.signalScale) - epsilon * Float(m.noiseScale * Foundation.expm1(r * h))
            return (value, m, time)
        }
        switch configuration.order {
        case 1:
            return firstOrder(to: 1).value
        case 2:
            let r1 = 0.5
            let middle = firstOrder(to: r1)
            let difference = process.epsilon(middle.value, at: middle.time) - epsilon
            return firstOrder(to: 1).value - difference * Float(mt.noiseScale / (2 * r1) * Foundation.expm1(h))
        default:
            let (r1, r2) = (1.0 / 3, 2.0 / 3)
            let first = firstOrder(to: r1)
            let d1 = process.epsilon(first.value, at: first.time) - epsilon
            let second = firstOrder(to: r2)
            let u2 = second.value - d1 * Float(second.marginal.noiseScale * r2 / r1 * expm1OverXMinusOne(r2 * h))
            let d2 = process.epsilon(u2, at: second.time) - epsilon
            return firstOrder(to: 1).value - d2 * Float(mt.noiseScale / r2 * expm1OverXMinusOne(h))
        }
    }
}

extension DPMSolverSampler: RegisteredComponent {
    public static let id: ComponentID = "dpm-solver"
    public static let summary = "DPM-Solver, single-step, orders 1–3 (Lu et al. 2022)"
}
