import Foundation
public import ScoreKitCore

/// A closed-form stand-in for a trained model (STYLE.md §11): data from an equal-weight mixture
/// of isotropic Gaussians in 2-D, whose denoiser is exact under any affine process.
///
/// ```
/// x̂₀(x, t) = Σ_k r_k·(μ_k + (α·s²/c)·(x − α·μ_k)),   c = α²s² + σ²,   r = softmax_k(−‖x − α·μ_k‖²/(2c))
/// ```
/// It evaluates in Double, row by row, so a sample's x̂₀ never depends on its batch. The
/// probability-flow ODE of this model is nonlinear (the responsibilities r_k move), which is
/// what an order check needs: linear problems satisfy fewer order conditions.
public struct MixtureDenoiser<SDE: ForwardSDE>: ReverseProcess {
    public let sde: SDE
    /// μ_k, 2-D.
    public let means: [[Double]]
    /// s, each component's standard deviation.
    public let standardDeviation: Double

    /// Three components at (1.5, 0.5), (−1, −1), (0.5, −2) with s = 0.5 by default.
    public init(
        sde: SDE, means: [[Double]] = [[1.5, 0.5], [-1, -1], [0.5, -2]], standardDeviation: Double = 0.5
    ) {
        precondition(!means.isEmpty && means.allSatisfy { $0.count == 2 }, "means must be 2-D points")
        self.sde = sde
        self.means = means
        self.standardDeviation = standardDeviation
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
        let (alpha, s2) = (m.signalScale, standardDeviation * standardDeviation)
        let c = alpha * alpha * s2 + m.noiseScale * m.noiseScale
        let logits = means.map { mu in
            -((x[0] - alpha * mu[0]) * (x[0] - alpha * mu[0]) + (x[1] - alpha * mu[1]) * (x[1] - alpha * mu[1]))
                / (2 * c)
        }
        let largest = logits.max() ?? 0
        let weights = logits.map { Foundation.exp($0 - largest) }
        let total = weights.reduce(0, +)
        var result = [0.0, 0.0]
        for (mu, w) in zip(means, weights) {
            for j in 0..<2 { result[j] += w / total * (mu[j] + alpha * s2 / c * (x[j] - alpha * mu[j])) }
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
