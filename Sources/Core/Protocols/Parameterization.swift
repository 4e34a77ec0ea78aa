/// What a network predicts, as an affine map from its output to the denoised estimate.
///
/// ```
/// x̂₀ = c_skip·x + c_out·F_θ(c_in·x, c_noise)
/// ```
/// Every prediction target of the field has this form (DESIGN.md, "Prediction targets"), with
/// coefficients that depend on the marginal (α, σ, α', σ') alone:
///
/// | target | c_skip | c_out |
/// |---|---|---|
/// | ε | 1/α | −σ/α |
/// | score | 1/α | σ²/α |
/// | x₀ | 0 | 1 |
/// | v = αε − σx₀ | α/(α²+σ²) | −σ/(α²+σ²) |
/// | u = α'x₀ + σ'ε | −σ'/(α'σ − ασ') | σ/(α'σ − ασ') |
/// | EDM | σ_d²/(σ²+σ_d²) | σσ_d/√(σ²+σ_d²) (in units of x/α) |
///
/// The denoised estimate x̂₀ is the one currency (STYLE.md §1.3): every other quantity is a
/// conversion from it, never a pairwise table. The training target is the output that makes
/// x̂₀ = x₀ exactly: `F* = (x₀ − c_skip·x)/c_out`.
public protocol Parameterization: Sendable {
    /// c_skip, c_out and c_in for one marginal.
    func preconditioning(for marginal: Marginal) -> Preconditioning
}

/// The coefficients of a parameterization at one marginal (Karras et al. 2022, Table 1).
public struct Preconditioning: Sendable, Equatable {
    /// c_skip: the weight of the noisy input in x̂₀.
    public var skipScale: Double
    /// c_out: the weight of the network output in x̂₀.
    public var outputScale: Double
    /// c_in: the factor applied to x before the network sees it (1 for all but EDM).
    public var inputScale: Double

    public init(skipScale: Double, outputScale: Double, inputScale: Double = 1) {
        self.skipScale = skipScale
        self.outputScale = outputScale
        self.inputScale = inputScale
    }
}

/// The canonical conversions between x̂₀ and the other predictions, from (x, marginal) alone.
///
/// Each is exact algebra on x_t = α·x₀ + σ·ε; `Tensor` arguments broadcast, so per-sample
/// coefficients come as `[N, 1, …]` tensors and one shared marginal as scalars.
public enum Prediction: String, Sendable, CaseIterable, Codable {
    /// ε, the noise.
    case epsilon
    /// ∇ₓ log p_t(x).
    case score
    /// x₀, the clean data ("sample", "denoised").
    case denoised
    /// v = α·ε − σ·x₀ (Salimans & Ho 2022).
    case velocity
    /// u = α'·x₀ + σ'·ε, the flow velocity dx_t/dt of the interpolant (flow matching).
    case flowVelocity

    /// This prediction of `x` expressed from the denoised estimate.
    public func value(fromDenoised x0: Tensor, noisy x: Tensor, marginal m: Marginal) -> Tensor {
        let (a, s) = (m.signalScale, m.noiseScale)
        switch self {
        case .denoised:
            return x0
        case .epsilon:
            return (x - x0 * Float(a)) * Float(1 / s)
        case .score:
            return (x0 * Float(a) - x) * Float(1 / (s * s))
        case .velocity:
            let eps = (x - x0 * Float(a)) * Float(1 / s)
            return eps * Float(a) - x0 * Float(s)
        case .flowVelocity:
            let eps = (x - x0 * Float(a)) * Float(1 / s)
            return x0 * Float(m.signalScaleDerivative) + eps * Float(m.noiseScaleDerivative)
        }
    }

    /// The denoised estimate from this prediction of `x`.
    public func denoised(from value: Tensor, noisy x: Tensor, marginal m: Marginal) -> Tensor {
        let c = preconditioning(for: m)
        return x * Float(c.skipScale) + value * Float(c.outputScale)
    }

    /// c_skip and c_out of this prediction (c_in = 1).
    public func preconditioning(for m: Marginal) -> Preconditioning {
        let (a, s, da, ds) = (m.signalScale, m.noiseScale, m.signalScaleDerivative, m.noiseScaleDerivative)
        switch self {
        case .denoised: return Preconditioning(skipScale: 0, outputScale: 1)
        case .epsilon: return Preconditioning(skipScale: 1 / a, outputScale: -s / a)
        case .score: return Preconditioning(skipScale: 1 / a, outputScale: s * s / a)
        case .velocity:
            let n = a * a + s * s
            return Preconditioning(skipScale: a / n, outputScale: -s / n)
        case .flowVelocity:
            let det = da * s - a * ds
            return Preconditioning(skipScale: -ds / det, outputScale: s / det)
        }
    }
}
