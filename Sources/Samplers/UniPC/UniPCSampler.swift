import Foundation
public import ScoreKitCore

/// UniPC multistep, orders 1–3 (Zhao et al. 2023, the B(h) variants): the
/// predictor UniP-p, an exponential integrator with p − 1 earlier model outputs, and the
/// corrector UniC-p, which refines each step with the model output at its end point.
///
/// ```
/// λ = log(α/σ) (half of Core's log-SNR),  h = λ_t − λ_s,  m = x̂₀ (data) or ε̂ = (x − α·x̂₀)/σ (noise)
/// data:   ĥ = −h,  x_t = (σ_t/σ_s)·x − α_t·(e^ĥ − 1)·m₀ − α_t·B(ĥ)·Σ_k ρ_k·D_k
/// noise:  ĥ = h,   x_t = (α_t/α_s)·x − σ_t·(e^ĥ − 1)·m₀ − σ_t·B(ĥ)·Σ_k ρ_k·D_k
/// B(ĥ) = ĥ (bh1) or e^ĥ − 1 (bh2);   m₀ = m(x, s),  r_k = (λ_{s_k} − λ_s)/h,  D_k = (m_k − m₀)/r_k
/// UniP-p   k = 1 … p − 1 over the outputs m_k of the p − 1 earlier points s_k
/// UniC-p   the same from the last step's start, plus k = p: r_p = 1, D_p = m(x̃_t, t) − m₀
/// ρ: the B(h) order conditions, see `predictorWeights(ratios:hh:variant:)`
/// step i:  m_i = m(x̃_i, t_i);  x_i = UniC(x_{i−1}, m_i) if i > 0 else x̃_i;  x̃_{i+1} = UniP(x_i)
/// final step to t = 0: x₀ = x̂₀(x̃, s)
/// ```
/// One model evaluation per step: the corrector reuses m_i, made at the predictor's output x̃_i,
/// which is also the next predictor's m₀, and no step is corrected after the last. A step returns
/// x̃ (uncorrected), as the reference code does; its corrected value exists only inside the next
/// step. The order of step i is min(p, i + 1) (warm-up, no single-step start) and, with
/// `finalSteps: lowerOrder`, at most the number of steps left; the corrector of a step has the order
/// of the predictor before it.
///
/// - Note: Matches diffusers' `UniPCMultistepScheduler` (`solver_order` = `order`, `solver_type`
///   = `variant`, `predict_x0` = `prediction == .data`, `lower_order_final` = `finalSteps: lowerOrder`,
///   `disable_corrector` for every step = `corrector: none`) with `final_sigmas_type: zero` on the same times,
///   except that the last step to σ = 0 returns x̂₀ for every configuration: the reference code
///   gives that for bh2 on x̂₀ with `lower_order_final`, where λ_t = ∞ leaves its other forms NaN
///   (bh1, noise) or its linear system singular (order ≥ 2 there). See its tests.
/// - Limitations: the warm-up's lower-order steps bound the global order: min(p + 1, 3) with the
///   corrector, min(p, 2) without (UniP), which `order` states. With `finalSteps: lowerOrder` on a grid
///   ending at t > 0 the last step is first order, which bounds both at 2 where x̂₀ still varies
///   in λ there (a grid ending at moderate signal-to-noise). On grids from the prior to near the
///   data, where x̂₀ varies least in λ at both ends, these steps' errors are small and the
///   regular steps' order, p + 1 (p without the corrector), is what shows before Float32
///   round-off. Look-alike: `dpm-solver-plus-plus` with `start: lowerOrder` shares UniP's
///   first-order part and warm-up; its higher-order terms are Taylor differences, not B(h) weights.
public struct UniPCSampler: Sampler {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// p, the multistep order of the predictor (diffusers' `solver_order`): 1, 2 or 3.
        public var order = 2
        /// B(h): h (`bh1`) or eʰ − 1 (`bh2`), diffusers' `solver_type`.
        public var variant = Variant.bh2
        /// The output the multistep works on: x̂₀ (`data`) or ε̂ (`noise`), diffusers' `predict_x0`.
        public var prediction = Target.data
        /// How the last steps' orders are set (diffusers' `lower_order_final`).
        public var finalSteps = FinalSteps.lowerOrder
        /// The corrector applied to each step.
        public var corrector = Corrector.uniC

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard (1...3).contains(order) else {
                throw .outOfRange(key: "order", value: "\(order)", expected: "1, 2 or 3")
            }
        }
    }

    /// The orders of a run's last steps.
    public enum FinalSteps: String, Codable, Sendable, CaseIterable {
        /// A step's order is at most the number of steps left (diffusers' `lower_order_final`).
        case lowerOrder
        /// Every step after the warm-up has the full order.
        case fullOrder
    }

    /// The corrector after each predictor step.
    public enum Corrector: String, Codable, Sendable, CaseIterable {
        /// UniC of the predictor's order, on the model output the next step makes anyway.
        case uniC
        /// None: UniP alone (diffusers' `disable_corrector` for every step).
        case none
    }

    /// B(h) in the order conditions (Zhao et al. 2023).
    public enum Variant: String, Codable, Sendable, CaseIterable {
        /// B(h) = h.
        case bh1
        /// B(h) = eʰ − 1.
        case bh2
    }

    /// The model output the multistep interpolates.
    public enum Target: String, Codable, Sendable, CaseIterable {
        /// The denoised estimate x̂₀ (the data-prediction form, as DPM-Solver++).
        case data
        /// The noise estimate ε̂ = (x − α·x̂₀)/σ (the noise-prediction form, as DPM-Solver).
        case noise
    }

    /// The last `order` model outputs and their λ, most recent last; the last predictor's start.
    public struct State: Sendable {
        var outputs: [Tensor] = []
        var lambdas: [Double] = []
        /// x_{i−1}, the sample the last predictor started from, with its marginal and order.
        var lastSample: Tensor?
        var lastMarginal: Marginal?
        var lastOrder = 0
    }

    public let configuration: Configuration

    /// UniPC-2 with B(h) = eʰ − 1 on x̂₀, as diffusers' defaults.
    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// The global order on the probability-flow ODE with the warm-up: min(p + 1, 3) with the
    /// corrector, min(p, 2) without (see Limitations for `finalSteps`).
    public var order: Int? {
        let corrected = configuration.corrector == .uniC
        return Swift.min(configuration.order + (corrected ? 1 : 0), corrected ? 3 : 2)
    }

    public func initialState(for problem: SamplingProblem) -> State { State() }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout State, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let d = process.denoised(x, at: step.start)
        if step.end == 0 { return d }
        let (ms, mt) = (process.marginal(at: step.start), process.marginal(at: step.end))
        let lambda = ms.halfLogSignalToNoiseRatio
        let output =
            configuration.prediction == .data
            ? d : (x - d * Float(ms.signalScale)) * Float(1 / ms.noiseScale)
        var x = x
        if configuration.corrector == .uniC, let last = state.lastSample, let lastMarginal = state.lastMarginal {
            x = correct(last, from: lastMarginal, to: ms, output: output, state: state)
        }
        state.outputs.append(output)
        state.lambdas.append(lambda)
        if state.outputs.count > configuration.order {
            state.outputs.removeFirst()
            state.lambdas.removeFirst()
        }
        var p = Swift.min(configuration.order, state.outputs.count)
        if configuration.finalSteps == .lowerOrder { p = Swift.min(p, step.count - step.index) }
        state.lastSample = x
        state.lastMarginal = ms
        state.lastOrder = p
        // UniP-p from x at s = step.start over m₀ = output and the p − 1 outputs before it.
        let h = mt.halfLogSignalToNoiseRatio - lambda
        let n = state.outputs.count
        let ratios = (1..<p).map { (state.lambdas[n - 1 - $0] - lambda) / h }
        let rhos = Self.predictorWeights(ratios: ratios, hh: hatH(h), variant: configuration.variant)
        let terms = (1..<p).map { (state.outputs[n - 1 - $0] - output, rhos[$0 - 1] / ratios[$0 - 1]) }
        return update(x, from: ms, to: mt, h: h, m0: output, terms: terms)
    }

    /// UniC-p: x_{i−1} → x_i again, now with `output` = m(x̃_i, t_i) as the last node (r_p = 1).
    func correct(
        _ last: Tensor, from ms: Marginal, to mt: Marginal, output: Tensor, state: State
    ) -> Tensor {
        let p = state.lastOrder
        let n = state.outputs.count
        let (m0, lambda) = (state.outputs[n - 1], state.lambdas[n - 1])
        let h = mt.halfLogSignalToNoiseRatio - lambda
        let ratios = (1..<p).map { (state.lambdas[n - 1 - $0] - lambda) / h }
        let rhos = Self.correctorWeights(ratios: ratios, hh: hatH(h), variant: configuration.variant)
        var terms = (1..<p).map { (state.outputs[n - 1 - $0] - m0, rhos[$0 - 1] / ratios[$0 - 1]) }
        terms.append((output - m0, rhos[p - 1]))
        return update(last, from: ms, to: mt, h: h, m0: m0, terms: terms)
    }

    /// ĥ: −h on x̂₀, h on ε̂.
    private func hatH(_ h: Double) -> Double { configuration.prediction == .data ? -h : h }

    /// The first-order update from `x` at s to t minus c_t·B(ĥ)·Σ weight·difference, c = α on
    /// x̂₀ and σ on ε̂; each term is (m_k − m₀, ρ_k/r_k).
    private func update(
        _ x: Tensor, from ms: Marginal, to mt: Marginal, h: Double, m0: Tensor, terms: [(Tensor, Double)]
    ) -> Tensor {
        var result: Tensor
        let scale: Double
        let hh = hatH(h)
        switch configuration.prediction {
        case .data:
            // (σ_t/σ_s)·x − α_t·(e^{−h} − 1)·m₀ written as (α_t/α_s)·x + α_t·(e^{−h} − 1)·(x/α_s − m₀), as
            // DPM-Solver++ does: on VE the first factor is exactly 1, so no rounded factor repeats each step.
            let alpha = mt.signalScale
            result =
                x * Float(alpha / ms.signalScale) + (x * Float(1 / ms.signalScale) - m0)
                * Float(alpha * Foundation.expm1(hh))
            scale = alpha
        case .noise:
            result = x * Float(mt.signalScale / ms.signalScale) - m0 * Float(mt.noiseScale * Foundation.expm1(hh))
            scale = mt.noiseScale
        }
        guard !terms.isEmpty else { return result }
        let b = configuration.variant == .bh1 ? hh : Foundation.expm1(hh)
        for (difference, weight) in terms { result = result - difference * Float(scale * b * weight) }
        return result
    }
}

extension UniPCSampler: RegisteredComponent {
    public static let id: ComponentID = "unipc"
    public static let summary = "UniPC multistep predictor-corrector, orders 1–3 (Zhao et al. 2023)"
}
