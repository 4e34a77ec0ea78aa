import Foundation
public import ScoreKitCore

/// Spherical linear interpolation (slerp) between two batches of latents, row by row
/// (Shoemake 1985; for the latents of generative models White 2016, and DDIM's §5.3).
///
/// ```
/// cos θ = a·b/(‖a‖‖b‖),   slerp(a, b; u) = sin((1 − u)θ)/sin θ · a + sin(uθ)/sin θ · b,   u ∈ [0, 1]
/// ```
/// For a and b of equal norm every point has that norm, so a path between two Gaussian latents
/// (norms ≈ √d, nearly orthogonal in high d) stays where the prior's mass is; the straight line
/// (lerp) cuts through the middle, at norm ≈ √(d/2) halfway. u = 0 gives a and u = 1 gives b
/// exactly.
/// - Limitations: where sin θ < `parallelLimit` (a and b nearly parallel, or either is 0) the
///   weights are lerp's, 1 − u and u, the limit of slerp as θ → 0; nearly antipodal rows
///   (θ ≈ π, where every great circle joins them) get the same straight line, through 0.
public enum SphericalInterpolation {
    /// Below this sin θ, rows are interpolated linearly.
    public static let parallelLimit = 1e-6

    /// (w_a, w_b) at u for rows at angle θ with sin θ = `sine`.
    public static func weights(angle: Double, at u: Double) -> (a: Double, b: Double) {
        let sine = Foundation.sin(angle)
        guard sine >= parallelLimit, angle.isFinite else { return (1 - u, u) }
        return (Foundation.sin((1 - u) * angle) / sine, Foundation.sin(u * angle) / sine)
    }

    /// The angle θ between each row of `a` and of `b` (`[N, …]`, equal shapes); `.nan` where a
    /// row is 0.
    public static func angles(_ a: Tensor, _ b: Tensor) -> [Double] {
        precondition(
            a.shape == b.shape && a.rank >= 1, "slerp needs two batches of one shape, got \(a.shape), \(b.shape)")
        let n = a.shape[0]
        let (ra, rb) = (a.reshaped([n, -1]), b.reshaped([n, -1]))
        let dots = (ra * rb).sum(alongAxis: 1).scalars
        let normsA = square(ra).sum(alongAxis: 1).scalars
        let normsB = square(rb).sum(alongAxis: 1).scalars
        return (0..<n).map { i in
            let scale = (Double(normsA[i]) * Double(normsB[i])).squareRoot()
            guard scale > 0 else { return .nan }
            return Foundation.acos(Swift.min(1, Swift.max(-1, Double(dots[i]) / scale)))
        }
    }

    /// The path from `a` to `b` at `steps` evenly spaced u_k = k/(steps − 1), endpoints included:
    /// `[steps] + a.shape`, row k·N + i being slerp(a_i, b_i; u_k).
    /// - Precondition: steps ≥ 2, `a` and `b` of one shape `[N, …]`.
    public static func path(from a: Tensor, to b: Tensor, steps: Int) -> Tensor {
        precondition(steps >= 2, "a path needs at least its two ends, got \(steps) steps")
        let n = a.shape[0]
        let theta = angles(a, b)
        let points = (0..<steps).map { k -> Tensor in
            if k == 0 { return a }
            if k == steps - 1 { return b }
            let u = Double(k) / Double(steps - 1)
            let w = theta.map { weights(angle: $0, at: u) }
            let wa = Tensor(w.map { Float($0.a) }, shape: [n] + Array(repeating: 1, count: a.rank - 1))
            let wb = Tensor(w.map { Float($0.b) }, shape: [n] + Array(repeating: 1, count: a.rank - 1))
            return a * wa + b * wb
        }
        return Tensor.concatenate(points, alongAxis: 0).reshaped([steps] + a.shape)
    }
}
