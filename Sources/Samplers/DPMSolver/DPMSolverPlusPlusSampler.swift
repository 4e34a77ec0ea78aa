import Foundation
public import ScoreKitCore

/// DPM-Solver++ multistep, orders 1–3: "2M" and "3M" (Lu et al. 2023, Algorithm 2 and
/// App. B), exponential integrators of the probability-flow ODE in the data prediction x̂₀.
///
/// ```
/// λ = log(α/σ) (half of Core's log-SNR),  h = λ_t − λ_s,  φ₁ = e^{−h} − 1,  D = x̂₀(x, s)
/// 1st   x_t = (σ_t/σ_s)·x − α_t·φ₁·D  = (α_t/α_s)·x + α_t·φ₁·(x/α_s − D)
/// 2M    r = h₋₁/h,  D₁ = (D − D₋₁)/r;   x_t = (σ_t/σ_s)·x − α_t·φ₁·D − ½·α_t·φ₁·D₁
/// 3M    r₀ = h₋₁/h, r₁ = h₋₂/h,  D₁₀ = (D − D₋₁)/r₀,  D₁₁ = (D₋₁ − D₋₂)/r₁,
///       D₁ = D₁₀ + r₀/(r₀ + r₁)·(D₁₀ − D₁₁) ≈ h·D′,   D₂ = 2·(D₁₀ − D₁₁)/(r₀ + r₁) ≈ h²·D″,
///       φ₂ = φ₁/h + 1,  φ₃ = φ₂/h − ½;   x_t = (σ_t/σ_s)·x − α_t·φ₁·D + α_t·φ₂·D₁ − α_t·φ₃·D₂
/// final step to t = 0: x₀ = x̂₀(x, s)
/// ```
/// The first-order part is computed in the second form, whose first factor is exactly 1 on VE:
/// the first form repeats one rounded coefficient σ_t/σ_s at every step of a grid even in λ,
/// which adds N rounding errors of x (a 4e-5 floor at 500 steps on the ring).
///
/// - Note: The reference code's third-order multistep update (`multistep_dpm_solver_third_update`,
///   also k-diffusion's `sample_dpmpp_3m_sde` and diffusers) uses D₂ = (D₁₀ − D₁₁)/(r₀ + r₁),
///   which is ½h²·D″: against φ₃, which multiplies h²·D″ in the Taylor expansion of the exact
///   solution (and does in the same code's single-step `taylor` update), that leaves a local
///   error O(h³), so its "3M" converges at order 2 (measured on the ring under VE: slopes 3.1,
///   2.7, 2.2, 1.9 from 10 to 500 steps, against 3.1, 3.1, 3.2, 3.1 here).
/// h₋₁, h₋₂ and D₋₁, D₋₂ are the previous steps' sizes in λ and denoised estimates, kept in
/// `State`; variable steps (any grid) enter through the ratios r. One model evaluation per step.
///
/// The first step has no history. With `start: singleStep` (the default) it is a DPM-Solver++(2S)
/// step (Lu et al. 2023, Algorithm 1, r = ½; two evaluations, local error O(h³)), so the solver
/// has its stated order from the first step: N + 1 evaluations for N steps. With
/// `start: lowerOrder` the first step is first order and the second at most second order, as in
/// the reference code (`multistep_dpm_solver_update`), k-diffusion's `sample_dpmpp_2m`/`3m` and
/// diffusers' `DPMSolverMultistepScheduler`: N evaluations, but the first step's O(h²) error
/// makes 3M globally second order, and dominates 2M's error where the flow barely contracts
/// after it (VE from σ_max = 50 keeps 1/125 of it on the ring).
/// - Limitations: no `lower_order_final`; on VP grids uniform in t the last step spans a large
///   λ interval, so there the observed order sets in only at larger N.
public struct DPMSolverPlusPlusSampler: Sampler {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// The multistep order: 1 (DDIM), 2 (2M) or 3 (3M).
        public var order = 2
        /// How the first step, which has no history, is taken (orders 2 and 3).
        public var start = Start.singleStep

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard (1...3).contains(order) else {
                throw .outOfRange(key: "order", value: "\(order)", expected: "1, 2 or 3")
            }
        }
    }

    /// How a multistep run begins.
    public enum Start: String, Codable, Sendable, CaseIterable {
        /// A DPM-Solver++(2S) step (2 evaluations): the stated order holds from the start.
        case singleStep
        /// First order, then second order (1 evaluation each), as the reference implementations.
        case lowerOrder
    }

    /// The last two denoised estimates and the λ at which they were made, most recent last.
    public struct State: Sendable {
        var denoised: [Tensor] = []
        var lambdas: [Double] = []
    }

    public let configuration: Configuration

    /// DPM-Solver++(2M).
    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var order: Int? { configuration.order }

    public func initialState(for problem: SamplingProblem) -> State { State() }

    public func evaluationCount(forStepCount stepCount: Int) -> Int {
        stepCount + (startsWithSingleStep && stepCount > 0 ? 1 : 0)
    }

    private var startsWithSingleStep: Bool { configuration.start == .singleStep && configuration.order > 1 }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout State, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let d = process.denoised(x, at: step.start)
        if step.end == 0 { return d }
        let (ms, mt) = (process.marginal(at: step.start), process.marginal(at: step.end))
        let lambda = ms.halfLogSignalToNoiseRatio
        let h = mt.halfLogSignalToNoiseRatio - lambda
        let phi1 = Foundation.expm1(-h)
        let alpha = mt.signalScale
        // (σ_t/σ_s)·x − α_t·φ₁·D written as (α_t/α_s)·x + α_t·φ₁·(x/α_s − D): on VE the first factor is
        // exactly 1, so no coefficient's rounding repeats at every step (it would add N·ulp errors).
        let residual = x * Float(1 / ms.signalScale) - d
        var result = x * Float(alpha / ms.signalScale) + residual * Float(alpha * phi1)
        switch Swift.min(configuration.order, state.denoised.count + 1) {
        case 1 where startsWithSingleStep:
            // DPM-Solver++(2S): u at λ + h/2 by the first-order update, then the midpoint correction.
            let r = 0.5
            let middleTime = process.sde.time(forHalfLogSignalToNoiseRatio: lambda + r * h)
            let mm = process.marginal(at: middleTime)
            let u =
                x * Float(mm.signalScale / ms.signalScale) + residual * Float(mm.signalScale * Foundation.expm1(-r * h))
            let difference = process.denoised(u, at: middleTime) - d
            result = result - difference * Float(alpha * phi1 / (2 * r))
        case 1:
            break
        case 2:
            let r = (lambda - state.lambdas[state.lambdas.count - 1]) / h
            let d1 = (d - state.denoised[state.denoised.count - 1]) * Float(1 / r)
            result = result - d1 * Float(0.5 * alpha * phi1)
        default:
            let (d1Previous, d2Previous) = (state.denoised[1], state.denoised[0])
            let r0 = (lambda - state.lambdas[1]) / h
            let r1 = (state.lambdas[1] - state.lambdas[0]) / h
            let d10 = (d - d1Previous) * Float(1 / r0)
            let d11 = (d1Previous - d2Previous) * Float(1 / r1)
            let d1 = d10 + (d10 - d11) * Float(r0 / (r0 + r1))
            let d2 = (d10 - d11) * Float(2 / (r0 + r1))
            let phi2 = phi1 / h + 1
            let phi3 = phi2 / h - 0.5
            result = result + d1 * Float(alpha * phi2) - d2 * Float(alpha * phi3)
        }
        state.denoised.append(d)
        state.lambdas.append(lambda)
        if state.denoised.count > 2 {
            state.denoised.removeFirst()
            state.lambdas.removeFirst()
        }
        return result
    }
}

extension DPMSolverPlusPlusSampler: RegisteredComponent {
    public static let id: ComponentID = "dpm-solver-plus-plus"
    public static let summary = "DPM-Solver++ multistep, 2M and 3M (Lu et al. 2023)"
}
