import Foundation
public import ScoreKitCore

extension SampleQuality {
    /// The Fréchet distance between Gaussians fitted to two sets of features (Heusel et al. 2017,
    /// the FID's formula, here in any feature space):
    ///
    /// ```
    /// FD = ‖μ_x − μ_y‖² + tr(Σ_x + Σ_y − 2·(Σ_x·Σ_y)^½)
    /// ```
    /// with the sample means and unbiased covariances of the rows of `x` `[n, k]` and `y` `[m, k]`.
    /// It is the squared 2-Wasserstein distance between the two Gaussians: 0 for equal moments,
    /// and biased upwards for finite n and m (the bias grows with k/n), so compare it with the
    /// same quantity between two sets of real data of the same sizes (the floor `evaluate`
    /// prints beside it). The matrix square root's trace comes from
    /// `SymmetricMatrix.traceOfSquareRootOfProduct` (Jacobi, in Double).
    /// - Precondition: n, m ≥ 2 and the same k on both sides.
    public static func frechetDistance(_ x: Tensor, _ y: Tensor) -> Double {
        precondition(x.rank >= 1 && y.rank >= 1 && x.shape[0] >= 2 && y.shape[0] >= 2, "need at least 2 rows each")
        let k = x.scalarCount / x.shape[0]
        precondition(y.scalarCount / y.shape[0] == k, "features of \(k) and \(y.scalarCount / y.shape[0]) values")
        let a = SymmetricMatrix.meanAndCovariance(rows: x.scalars, width: k)
        let b = SymmetricMatrix.meanAndCovariance(rows: y.scalars, width: k)
        let meanTerm = zip(a.mean, b.mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let traces = (0..<k).reduce(0) { $0 + a.covariance[$1 * k + $1] + b.covariance[$1 * k + $1] }
        let cross = SymmetricMatrix.traceOfSquareRootOfProduct(a.covariance, b.covariance, order: k)
        return meanTerm + traces - 2 * cross
    }
}
