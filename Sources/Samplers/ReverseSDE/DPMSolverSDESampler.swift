import Foundation
public import ScoreKitCore

/// DPM-Solver++(2M) SDE (Lu et al. 2022, "DPM-Solver++", §5 and App. D; k-diffusion's
/// `sample_dpmpp_2m_sde`), for any affine process through x̃ = x/α.
///
/// ```
/// λ = log(α/σ),  h = λ' − λ > 0,  σ̃ = σ/α,  step t → t' with x̂₀ = x̂₀(x, t):
///     x̃' = (σ̃'/σ̃)·e^{−ηh}·x̃ + (1 − e^{−(1+η)h})·x̂₀
///        + c·(1/r)·(x̂₀ − x̂₀_prev)                     r = h_prev/h, from the second step on
///        + s_noise·σ̃'·√(1 − e^{−2ηh})·z,   z ~ N(0, I)
///     c = ½(1 − e^{−(1+η)h})                           (midpoint)
///     c = 1 − (1 − e^{−(1+η)h})/((1+η)h)              (heun)
///     x' = α'·x̃'
/// final step to t = 0: x₀ = x̂₀(x, t)
/// ```
/// With η = 1 the first-order part is the exact solution of the linear part of the reverse SDE
/// (SDE-DPM-Solver++1); the 2M correction reuses the previous x̂₀, so it still makes one
/// evaluation per step. η = 0 is the deterministic DPM-Solver++(2M).
/// - Limitations: stochastic, so no ODE order; the multistep memory assumes a smooth grid
///   (the `karras` or `log-snr` grid suits it; k-diffusion uses Karras σ's).
public struct DPMSolverSDESampler: Sampler {
    /// The 2M correction's coefficient (k-diffusion's `solver_type`).
    public enum SolverType: String, Codable, Sendable, CaseIterable {
        case midpoint
        case heun
    }

    public struct Configuration: ComponentConfiguration, Equatable {
        /// η, the stochasticity (k-diffusion's `eta`); 1 is the SDE solver, 0 the ODE solver.
        public var eta = 1.0
        /// s_noise, a factor on the injected noise.
        public var sNoise = 1.0
        /// The second-order correction.
        public var solverType = SolverType.midpoint

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requireNonNegative(eta, key: "eta")
            try requireNonNegative(sNoise, key: "sNoise")
        }
    }

    /// The previous step's x̂₀ and h.
    public struct State: Sendable {
        var previousDenoised: Tensor?
        var previousStepSize: Double?
    }

    public let configuration: Configuration

    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var order: Int? { nil }

    public func initialState(for problem: SamplingProblem) -> State { State() }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout State, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let denoised = process.denoised(x, at: step.start)
        if step.isFinalDenoising { return denoised }
        let (ms, me) = (process.marginal(at: step.start), process.marginal(at: step.end))
        let (sigma, next) = (ms.noiseLevel, me.noiseLevel)
        let h = Foundation.log(sigma / next)
        let (eta, etaH) = (configuration.eta, configuration.eta * h)
        let weight = -Foundation.expm1(-h - etaH)  // 1 − e^{−(1+η)h}
        let scaled = x * Float(1 / ms.signalScale)
        var result = scaled * Float(next / sigma * Foundation.exp(-etaH)) + denoised * Float(weight)
        if let previous = state.previousDenoised, let previousH = state.previousStepSize {
            let inverseRatio = h / previousH
            let c: Double
            switch configuration.solverType {
            case .midpoint: c = 0.5 * weight
            case .heun: c = 1 - weight / (h + etaH)
            }
            result = result + (denoised - previous) * Float(c * inverseRatio)
        }
        let z = noise.normal(x.shape)
        if eta > 0 {
            let spread = next * (-Foundation.expm1(-2 * etaH)).squareRoot() * configuration.sNoise
            result = result + z * Float(spread)
        }
        state.previousDenoised = denoised
        state.previousStepSize = h
        return result * Float(me.signalScale)
    }
}

extension DPMSolverSDESampler: RegisteredComponent {
    public static let id: ComponentID = "dpmpp-2m-sde"
    public static let summary = "DPM-Solver++(2M) SDE of k-diffusion (eta, sNoise, midpoint/heun)"
}
