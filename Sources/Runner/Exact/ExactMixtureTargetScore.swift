public import ScoreKitCore
public import ScoreKitLosses
public import ScoreKitNetworks

/// The exact score of p_t for data drawn from a Gaussian mixture: the target that the Runner
/// attaches to `explicit-score-matching` (a `TargetScoreLoss`) when a recipe's data is a mixture
/// (`ring`, `grid`, `gaussian-mixture`; `ExactMixtureSource`).
///
/// ```
/// s*(x, t) = ∇log p_t(x),   p_t = Σ_k w_k N(α·μ_k, α²Σ_k + σ²I)       (unlabelled)
/// s*(x, t | k) = ∇log N(x; α·μ_k, α²Σ_k + σ²I)                         (label k; the null label: p_t)
/// ```
/// The mixture is taken in the model's coordinates: with `data.standardization: perDimension`
/// (z = (x − m)/s) its means become (μ − m)/s and its covariances D⁻¹ΣD⁻¹, D = diag(s), so the
/// target is the score of the standardised data the network trains on. Each sample is scored at
/// its own marginal, in Double.
public struct ExactMixtureTargetScore: TargetScore {
    /// The mixture in the model's coordinates.
    public let mixture: GaussianMixture

    /// The score of `mixture` as it is.
    public init(mixture: GaussianMixture) {
        self.mixture = mixture
    }

    /// The score of the mixture behind `data` in the coordinates `standardization` maps to, or
    /// `nil` when the data is not an exact mixture.
    public init?(data: DataSpecification, standardization: Standardization?) {
        guard let source = data.source as? any ExactMixtureSource else { return nil }
        guard let standardization else {
            self.init(mixture: source.mixture)
            return
        }
        guard let standardized = source.mixture.standardized(by: standardization) else { return nil }
        self.init(mixture: standardized)
    }

    public func score(_ x: Tensor, times: [Double], marginals: [Marginal], labels: [Int]?) -> Tensor {
        let classes = labels.flatMap { $0.count == marginals.count ? $0 : nil }
        return mixture.score(x, marginals: marginals, classes: classes)
    }
}

extension GaussianMixture {
    /// The mixture of z = (x − m)/s for x from this one: means (μ − m)/s, covariances D⁻¹ΣD⁻¹
    /// with D = diag(s); `nil` when the dimensions differ.
    func standardized(by map: Standardization) -> GaussianMixture? {
        let d = dimension
        guard map.dimension == d else { return nil }
        let m = map.mean.map(Double.init)
        let s = map.standardDeviation.map(Double.init)
        let means = self.means.map { mean in (0..<d).map { (mean[$0] - m[$0]) / s[$0] } }
        let covariances = self.covariances.map { covariance -> Covariance in
            switch covariance {
            case .isotropic(let variance): return .diagonal(s.map { variance / ($0 * $0) })
            case .diagonal(let variances): return .diagonal((0..<d).map { variances[$0] / (s[$0] * s[$0]) })
            case .full(let rows): return .full((0..<d).map { i in (0..<d).map { j in rows[i][j] / (s[i] * s[j]) } })
            }
        }
        return try? GaussianMixture(weights: weights, means: means, covariances: covariances)
    }
}
