public import ScoreKitCore

/// Reconstruction guidance (Ho et al. 2022, "Video diffusion models", eq. 7): x̂₀ of the unknown
/// coordinates pushed toward agreement of the known ones with the observation.
///
/// ```
/// x̃₀ = x̂₀(x) − (w_r·α(t)/2)·(1 − m)·∇ₓ‖m·(y − x̂₀(x))‖²
///     = x̂₀(x) + w_r·α(t)·(1 − m)·J(x)ᵀ·(m·(y − x̂₀(x))),    J = ∂x̂₀/∂x
/// ```
/// One vector–Jacobian product through the model per evaluation (a backward pass: about three
/// times the cost of x̂₀ alone; an evaluation counts once). With w_r = 1 the score's extra term
/// is (α²/σ²)·Jᵀ·m·(y − x̂₀): ∇ log N(y; x̂₀(x), (σ²/α²)·I) on the known part, the Gaussian
/// approximation of ∇ log p_t(y | x_t). Ho et al. sample the known part by replacement
/// alongside, as `conditioning: { method: reconstruction }` does (`ReplacementSampler`); w_r is
/// their weighting factor (they report w_r > 1 works better for video).
///
/// With `covariance: .tweedie` the Gaussian's covariance is instead the posterior covariance of
/// x₀ given x_t from Tweedie's second-order formula, Cov[x₀ | x_t] = (σ²/α)·J, on the known part
/// (Boys et al. 2023, "Tweedie moment projected diffusions for inverse problems"): the score's
/// extra term is Jᵀ·m·(y − x̂₀)/C with C = (σ²/α)·v, v the known part of Jᵀ·m (J's row sums over
/// the known coordinates: its diagonal when they do not covary), so
///
/// ```
/// x̃₀ = x̂₀ + w_r·(1 − m)·Jᵀ·(m·(y − x̂₀)/max(v, 10⁻³/α))
/// ```
/// Two vector–Jacobian products per evaluation. Where the data's spread given x_t is much
/// narrower than σ/α — the middle noise levels, where a sample's component is decided — the
/// isotropic term is too weak by the ratio of the two variances and this one is not. The floor
/// keeps C ≥ 10⁻³·σ²/α² (binding only at the noisiest levels, where guidance matters least).
/// - Limitations: both are Gaussian approximations of p(x₀ | x_t), so the result is still biased
///   for multimodal conditionals; docs/QUALITY.md measures them on the ring.
public struct ReconstructionGuidance<Base: ReverseProcess>: ReverseProcess {
    /// The joint model.
    public var base: Base
    /// y, the known values `[N] + sampleShape`.
    public var known: Tensor
    /// m, 1 where a value is known: `[N] + sampleShape` or `[1] + sampleShape`.
    public var mask: Tensor
    /// w_r, the weight of the reconstruction term.
    public var weight: Double
    /// The covariance of the Gaussian approximation of p(x₀ | x_t).
    public var covariance: ReconstructionCovariance

    public init(
        base: Base, known: Tensor, mask: Tensor, weight: Double, covariance: ReconstructionCovariance = .isotropic
    ) {
        precondition(weight.isFinite && weight >= 0, "the reconstruction weight must be finite and ≥ 0, got \(weight)")
        precondition(
            mask.rank == known.rank && Array(mask.shape.dropFirst()) == Array(known.shape.dropFirst())
                && (mask.shape.first == 1 || mask.shape.first == known.shape.first),
            "a mask of shape \(mask.shape) for known values of shape \(known.shape)")
        self.base = base
        self.known = known
        self.mask = mask
        self.weight = weight
        self.covariance = covariance
    }

    public var sde: Base.SDE { base.sde }

    public func denoised(_ x: Tensor, at time: Double) -> Tensor {
        guided(x, at: time, known: known, mask: mask)
    }

    /// Rows at different times: each time's rows are guided together, with their known values.
    public func denoised(_ x: Tensor, at times: [Double]) -> Tensor {
        precondition(times.count == x.shape[0], "\(times.count) times for a batch of shape \(x.shape)")
        guard let first = times.first, times.contains(where: { $0 != first }) else {
            return denoised(x, at: times.first ?? 0)
        }
        var result = Tensor.zeros(x.shape)
        for time in Set(times).sorted(by: >) {
            let rows = times.indices.filter { times[$0] == time }
            let rowMask = mask.shape[0] == 1 ? mask : mask.gathering(rows: rows)
            let part = guided(x.gathering(rows: rows), at: time, known: known.gathering(rows: rows), mask: rowMask)
            result = result + part.scatteringAdd(rows: rows, into: x.shape)
        }
        return result
    }

    public func restricted(toRows rows: [Int]) -> ReconstructionGuidance? {
        base.restricted(toRows: rows).map { base in
            ReconstructionGuidance(
                base: base, known: known.gathering(rows: rows),
                mask: mask.shape[0] == 1 ? mask : mask.gathering(rows: rows), weight: weight,
                covariance: covariance)
        }
    }

    /// x̂₀ + w_r·α·(1 − m)·Jᵀ·(m·(y − x̂₀)) (isotropic) or x̂₀ + w_r·(1 − m)·Jᵀ·(m·(y − x̂₀)/v)
    /// (Tweedie), with x̂₀ and J at `x`.
    private func guided(_ x: Tensor, at time: Double, known: Tensor, mask: Tensor) -> Tensor {
        precondition(x.shape == known.shape, "a batch of shape \(x.shape) for known values of shape \(known.shape)")
        let alpha = base.marginal(at: time).signalScale
        let input = x.detached().tracked()
        let (denoised, product) = Autodiff.withRecording { () -> (Tensor, Tensor) in
            let denoised = base.denoised(input, at: time)
            precondition(
                denoised.isTracked, "reconstruction guidance needs a model differentiable in x; x̂₀ was not recorded")
            let residual = (known - denoised.detached()) * mask
            switch covariance {
            case .isotropic:
                return (denoised.detached(), gradients(of: denoised, wrt: [input], seed: residual)[0] * Float(alpha))
            case .tweedie:
                let ones = mask.broadcasted(to: x.shape)
                let rowSums = gradients(of: denoised, wrt: [input], seed: ones)[0]
                let spread = Tensor.maximum(rowSums, Tensor.full(x.shape, Float(1e-3 / alpha)))
                return (denoised.detached(), gradients(of: denoised, wrt: [input], seed: residual / spread)[0])
            }
        }
        return denoised + product * (1 - mask) * Float(weight)
    }
}

/// The covariance of `ReconstructionGuidance`'s Gaussian approximation of p(x₀ | x_t) on the known part.
public enum ReconstructionCovariance: Sendable, Equatable {
    /// (σ²/α²)·I (Ho et al. 2022).
    case isotropic
    /// (σ²/α)·J, Tweedie's posterior covariance, on the diagonal (Boys et al. 2023).
    case tweedie
}
