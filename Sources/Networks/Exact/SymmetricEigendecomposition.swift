import Foundation

/// The eigendecomposition A = V·diag(λ)·Vᵀ of a symmetric matrix by the cyclic Jacobi method.
///
/// ```
/// for each (p, q), p < q:   θ = (a_qq − a_pp)/(2a_pq),  t = sgn θ/(|θ| + √(θ² + 1)),  c = 1/√(t² + 1),  s = t·c
///                           A ← Pᵀ A P,  V ← V P,   P the rotation by (c, s) in the (p, q) plane
/// ```
/// until the off-diagonal mass is below (1e-15·‖A‖_F)². Quadratically convergent; O(n³) per
/// sweep, fine for the small dimensions of exact test models. Source: Golub & Van Loan,
/// Matrix Computations (4th ed.), §8.5; Press et al., Numerical Recipes, §11.1.
///
/// `matrix` is row-major n × n; `vectors` is row-major with eigenvector j in column j.
func symmetricEigendecomposition(_ matrix: [Double], dimension n: Int) -> (values: [Double], vectors: [Double]) {
    var a = matrix
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { v[i * n + i] = 1 }
    let norm2 = a.reduce(0) { $0 + $1 * $1 }
    for _ in 0..<64 {
        var off = 0.0
        for p in 0..<n { for q in (p + 1)..<n { off += a[p * n + q] * a[p * n + q] } }
        if off <= 1e-30 * norm2 || off == 0 { break }
        for p in 0..<(n - 1) {
            for q in (p + 1)..<n {
                let apq = a[p * n + q]
                if apq == 0 { continue }
                let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                let t = (theta >= 0 ? 1.0 : -1.0) / (Swift.abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot()
                let s = t * c
                for k in 0..<n {  // columns p and q of A·P
                    let (akp, akq) = (a[k * n + p], a[k * n + q])
                    a[k * n + p] = c * akp - s * akq
                    a[k * n + q] = s * akp + c * akq
                }
                for k in 0..<n {  // rows p and q of Pᵀ·(A·P)
                    let (apk, aqk) = (a[p * n + k], a[q * n + k])
                    a[p * n + k] = c * apk - s * aqk
                    a[q * n + k] = s * apk + c * aqk
                }
                for k in 0..<n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q])
                    v[k * n + p] = c * vkp - s * vkq
                    v[k * n + q] = s * vkp + c * vkq
                }
            }
        }
    }
    return ((0..<n).map { a[$0 * n + $0] }, v)
}
