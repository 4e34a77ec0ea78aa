import Foundation
public import ScoreKitCore

/// A closed-form stand-in for a trained model (STYLE.md §11): data from a mixture of Gaussians
/// in 2-D, whose denoiser is exact under any affine process.
///
/// ```
/// C_k = α²Σ_k + σ²I,   r = softmax_k(log w_k − ½(x − α·μ_k)ᵀC_k⁻¹(x − α·μ_k) − ½ log det C_k)
/// x̂₀(x, t) = Σ_k r_k·(μ_k + α·Σ_k·C_k⁻¹·(x − α·μ_k))
/// ```
/// The default is three equal-weight isotropic components; `correlated(sde:)` has unequal weights
/// and anisotropic covariances, two of them correlated, where samplers differ most. It evaluates
/// in Double, row by row, so a sample's x̂₀ never depends on its batch. The probability-flow ODE
/// of this model is nonlinear (the responsibilities r_k move), which is what an order check
/// needs: linear problems satisfy fewer order conditions.
public struct MixtureDenoiser<SDE: ForwardSDE>: ReverseProcess {
    public let sde: SDE
    /// w_k, summing to 1.
    public let weights: [Double]
    /// μ_k, 2-D.
    public let means: [[Double]]
    /// Σ_k as [Σ₁₁, Σ₁₂, Σ₂₂], symmetric positive definite.
    public let covariances: [[Double]]

    /// Equal-weight isotropic components of standard deviation s: three at (1.5, 0.5),
    /// (−1, −1), (0.5, −2) with s = 0.5 by default.
    public init(
        sde: SDE, means: [[Double]] = [[1.5, 0.5], [-1, -1], [0.5, -2]], standardDeviation: Double = 0.5
    ) {
        let s2 = standardDeviation * standardDeviation
        self.init(
            sde: sde, weights: Array(repeating: 1, count: means.count), means: means,
            covariances: Array(repeating: [s2, 0, s2], count: means.count))
    }

    /// Components of weights `weights` (normalised here), means and covariances [Σ₁₁, Σ₁₂, Σ₂₂].
    public init(sde: SDE, weights: [Double], means: [[Double]], covariances: [[Double]]) {
        precondition(!means.isEmpty && means.allSatisfy { $0.count == 2 }, "means must be 2-D points")
        precondition(weights.count == means.count && weights.allSatisfy { $0 > 0 }, "one positive weight a mean")
        precondition(
            covariances.count == means.count
                && covariances.allSatisfy { $0.count == 3 && $0[0] > 0 && $0[0] * $0[2] > $0[1] * $0[1] },
            "one positive definite [Σ₁₁, Σ₁₂, Σ₂₂] a mean")
        let total = weights.reduce(0, +)
        self.sde = sde
        self.weights = weights.map { $0 / total }
        self.means = means
        self.covariances = covariances
    }

    /// Weights 0.5, 0.3, 0.2 at (1.5, 0.5), (−1, 1), (0, −1.5); covariances [[0.3, 0.2], [0.2, 0.25]],
    /// [[0.2, −0.1], [−0.1, 0.4]] and diag(0.4, 0.15): variances no smaller than the isotropic
    /// default's 0.25 by much, so that solvers reach their asymptotic order at the same step counts.
    public static func correlated(sde: SDE) -> MixtureDenoiser {
        MixtureDenoiser(
            sde: sde, weights: [0.5, 0.3, 0.2], means: [[1.5, 0.5], [-1, 1], [0, -1.5]],
            covariances: [[0.3, 0.2, 0.25], [0.2, -0.1, 0.4], [0.4, 0, 0.15]])
    }

    public func denoised(_ x: Tensor, at time: Double) -> Tensor {
        precondition(x.scalarCount == 2 * (x.shape.first ?? 0), "x must hold 2 values per sample, got shape \(x.shape)")
        let m = sde.marginal(at: time)
        let values = x.scalars.map(Double.init)
        var out = [Float](repeating: 0, count: values.count)
        for row in 0..<(values.count / 2) {
            let d = denoised([values[2 * row], values[2 * row + 1]], marginal: m)
            out[2 * row] = Float(d[0])
            out[2 * row + 1] = Float(d[1])
        }
        return Tensor(out, shape: x.shape)
    }

    /// x̂₀ at one point, in Double.
    public func denoised(_ x: [Double], marginal m: Marginal) -> [Double] {
        let (alpha, variance) = (m.signalScale, m.noiseScale * m.noiseScale)
        var logits: [Double] = []
        var estimates: [[Double]] = []
        for (k, mu) in means.enumerated() {
            let s = covariances[k]
            // C = α²Σ + σ²I and its inverse, 2 × 2.
            let (c00, c01, c11) = (
                alpha * alpha * s[0] + variance, alpha * alpha * s[1], alpha * alpha * s[2] + variance
            )
            let det = c00 * c11 - c01 * c01
            let r = [x[0] - alpha * mu[0], x[1] - alpha * mu[1]]
            let u = [(c11 * r[0] - c01 * r[1]) / det, (c00 * r[1] - c01 * r[0]) / det]  // C⁻¹r
            logits.append(Foundation.log(weights[k]) - 0.5 * (r[0] * u[0] + r[1] * u[1]) - 0.5 * Foundation.log(det))
            estimates.append([mu[0] + alpha * (s[0] * u[0] + s[1] * u[1]), mu[1] + alpha * (s[1] * u[0] + s[2] * u[1])])
        }
        let largest = logits.max() ?? 0
        let w = logits.map { Foundation.exp($0 - largest) }
        let total = w.reduce(0, +)
        var result = [0.0, 0.0]
        for (estimate, weight) in zip(estimates, w) {
            for j in 0..<2 { result[j] += weight / total * estimate[j] }
        }
        return result
    }

    /// The probability-flow velocity (α'/α)·x − ½g²·(α·x̂₀ − x)/σ² at one point, in Double.
    public func probabilityFlowVelocity(_ x: [Double], at time: Double) -> [Double] {
        let m = sde.marginal(at: time)
        let d = denoised(x, marginal: m)
        let variance = m.noiseScale * m.noiseScale
        return (0..<2).map {
            m.driftCoefficient * x[$0] - 0.5 * m.diffusionSquared * (m.signalScale * d[$0] - x[$0]) / variance
        }
    }

    /// The probability-flow ODE solved by RK4 in Double over `times`, from `start` (2 values per
    /// sample, flattened); the result is flattened the same way.
    public func referenceSolution(from start: [Double], times: [Double]) -> [Double] {
        var result: [Double] = []
        for row in 0..<(start.count / 2) {
            var x = [start[2 * row], start[2 * row + 1]]
            for i in 0..<(times.count - 1) {
                let (t, h) = (times[i], times[i + 1] - times[i])
                let k1 = probabilityFlowVelocity(x, at: t)
                let k2 = probabilityFlowVelocity([x[0] + 0.5 * h * k1[0], x[1] + 0.5 * h * k1[1]], at: t + 0.5 * h)
                let k3 = probabilityFlowVelocity([x[0] + 0.5 * h * k2[0], x[1] + 0.5 * h * k2[1]], at: t + 0.5 * h)
                let k4 = probabilityFlowVelocity([x[0] + h * k3[0], x[1] + h * k3[1]], at: t + h)
                x = (0..<2).map { x[$0] + h / 6 * (k1[$0] + 2 * k2[$0] + 2 * k3[$0] + k4[$0]) }
            }
            result += x
        }
        return result
    }
}
