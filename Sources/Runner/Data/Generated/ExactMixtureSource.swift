public import ScoreKitNetworks

/// A data source whose samples are draws of an exact Gaussian mixture (`ring`, `grid`,
/// `gaussian-mixture`): evaluation uses its means, weights and density, and a recipe may use
/// it as the exact score model (`network: { kind: exact-mixture }`).
public protocol ExactMixtureSource: DataSource {
    /// The mixture the samples are drawn from.
    var mixture: GaussianMixture { get }
}

extension GaussianMixtureData: ExactMixtureSource {}
extension RingData: ExactMixtureSource {}
extension GridData: ExactMixtureSource {}

extension GaussianMixture {
    /// The largest standard deviation along any direction of any component: √ of the largest
    /// covariance eigenvalue (by power iteration for full matrices).
    public var largestStandardDeviation: Double {
        var largest = 0.0
        for covariance in covariances {
            switch covariance {
            case .isotropic(let variance): largest = max(largest, variance)
            case .diagonal(let variances): largest = max(largest, variances.max() ?? 0)
            case .full(let rows): largest = max(largest, Self.largestEigenvalue(rows))
            }
        }
        return largest.squareRoot()
    }

    /// The largest eigenvalue of a symmetric positive semi-definite matrix, by power iteration
    /// from (1, …, 1) plus a tilt that cannot be orthogonal to every eigenvector at once.
    static func largestEigenvalue(_ rows: [[Double]]) -> Double {
        let d = rows.count
        var v = (0..<d).map { 1 + 0.1 * Double($0) }
        var value = 0.0
        for _ in 0..<500 {
            let w = (0..<d).map { i in (0..<d).reduce(0.0) { $0 + rows[i][$1] * v[$1] } }
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { return 0 }
            let next = norm / v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = w.map { $0 / norm }
            if abs(next - value) <= 1e-12 * next {
                return next
            }
            value = next
        }
        return value
    }
}
