public import ScoreKitCore

/// Conditional flow matching: regression of the model's velocity on the interpolant's velocity.
///
/// ```
/// L(θ) = E_{t~U[t_min, t_max]} E_{x₀,ε} ‖u_θ(x_t, t) − u‖²,   u = dx_t/dt = α'(t)·x₀ + σ'(t)·ε
/// ```
/// u_θ is the model's prediction converted to the flow velocity through x̂₀ (any
/// parameterization), and u_θ − u = ((α'σ − ασ')/σ)·(x̂₀ − x₀). This is denoising score matching
/// with the weighting λ(t) = 2(α'σ − ασ')²σ²/α² on ½‖s_θ − s*‖²: a thin, named setting of the
/// same regression. With the linear interpolant (α = 1 − t, σ = t, u = ε − x₀) and the
/// `flow-velocity` parameterization it is exactly the rectified-flow / flow-matching loss of
/// Liu et al. (2023) and Lipman et al. (2023) (σ_min = 0); on VP it is the "v-like" velocity
/// loss of Albergo & Vanden-Eijnden (2023). ScoreKit's data sits at t = t_min, so t here is
/// 1 − t of papers that put noise at 0 (rectified flow's code). The norm is a mean over
/// dimensions (`reduction: mean`, as `torch.mean((v − u)²)`) or a sum.
public struct FlowMatching: Loss {
    public struct Configuration: ComponentConfiguration, Equatable {
        public var reduction = DenoisingScoreMatching.Reduction.mean
        /// p, the probability of replacing a sample's label by the null label (classifier-free guidance).
        public var labelDropout = 0.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            try LabelDropout.validate(labelDropout)
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public func evaluate(
        _ batch: TrainingBatch, model: some ScoreModel, sde: some ForwardSDE,
        parameterization: some Parameterization, noise: inout some NoiseSource
    ) -> LossEvaluation {
        let range = sde.timeRange
        let u = noise.uniform([batch.count]).scalars
        let times = u.map { range.lowerBound + Double($0) * (range.upperBound - range.lowerBound) }
        let regression = DenoisingRegression(
            reduction: configuration.reduction, labelDropout: configuration.labelDropout)
        return regression.evaluate(
            batch, times: times, model: model, sde: sde, parameterization: parameterization, noise: &noise
        ) { _, m, c in
            // u_θ − u = ((α'σ − ασ')/σ)·c_out·(F − F*).
            let f = Self.velocityFactor(m) * c.outputScale
            return f * f
        }
    }

    /// (α'σ − ασ')/σ, the factor from x̂₀'s error to the velocity's error.
    static func velocityFactor(_ m: Marginal) -> Double {
        (m.signalScaleDerivative * m.noiseScale - m.signalScale * m.noiseScaleDerivative) / m.noiseScale
    }
}

extension FlowMatching: RegisteredComponent {
    public static let id: ComponentID = "flow-matching"
    public static let summary =
        "Flow matching: ‖u_θ − (α'x₀ + σ'ε)‖² at t ~ U (rectified flow with the linear interpolant)"
}
