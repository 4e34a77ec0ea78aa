import Foundation
import ScoreKitCore

/// The ring's exact x̂₀ written in `Tensor` operations, so that the gradient tape can
/// differentiate it in x (the Networks mixture computes outside the tape). For equal-weight
/// isotropic components N(μ_k, s²·I):
///
/// ```
/// c = α²s² + σ²,   r = softmax_k(−‖x − α·μ_k‖²/(2c)),   m = Σ_k r_k·μ_k
/// x̂₀ = m + (α·s²/c)·(x − α·m)
/// ```
/// Each sample reads its own α and σ from the `NoiseCondition`, as a network does.
struct DifferentiableRingModel: ScoreModel {
    /// μ_k as `[1, K, 2]`.
    let means: Tensor
    let variance: Double

    init(componentCount: Int = 8, radius: Double = 5, standardDeviation: Double = 0.4) {
        let points = (0..<componentCount).flatMap { k -> [Float] in
            let angle = 2 * Double.pi * Double(k) / Double(componentCount)
            return [Float(radius * Foundation.cos(angle)), Float(radius * Foundation.sin(angle))]
        }
        means = Tensor(points, shape: [1, componentCount, 2])
        variance = standardDeviation * standardDeviation
    }

    func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        let n = x.shape[0]
        let alpha = condition.signalScale.reshaped([n, 1])
        let sigma = condition.noiseScale.reshaped([n, 1])
        let c = square(alpha) * Float(variance) + square(sigma)  // [N, 1]
        let shifted = x.reshaped([n, 1, 2]) - means * alpha.reshaped([n, 1, 1])  // [N, K, 2]
        let logits = -square(shifted).sum(alongAxis: 2) / (c * 2)  // [N, K]
        let weights = exp(logits - logits.max(alongAxis: 1, keepingDimension: true).detached())
        let responsibilities = weights / weights.sum(alongAxis: 1, keepingDimension: true)
        let mean = (responsibilities.reshaped([n, -1, 1]) * means).sum(alongAxis: 1)  // [N, 2]
        let shrink = alpha * Float(variance) / c
        return (mean + shrink * (x.reshaped([n, 2]) - alpha * mean)).reshaped(x.shape)
    }
}
