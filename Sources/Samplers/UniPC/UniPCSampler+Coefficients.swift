import Foundation

/// The weights ρ of UniP-p and UniC-p (Zhao et al. 2023, the B(h) form).
///
/// ```
/// ĥ = −h (data) or h (noise),   B(ĥ) = ĥ (bh1) or e^ĥ − 1 (bh2)
/// g_k(ĥ) = Σ_{j≥1} ĥ^j/(j + k)! = ĥ·φ_{k+1}(ĥ),   g_1 = (e^ĥ − 1)/ĥ − 1,   g_{k+1} = g_k/ĥ − 1/(k + 1)!
/// b_k = k!·g_k(ĥ)/B(ĥ)
/// UniP-p   Σ_{j<p} r_j^{i−1}·ρ_j = b_i,   i = 1 … p − 1          (p = 2: ρ = [½])
/// UniC-p   Σ_{j≤p} r_j^{i−1}·ρ_j = b_i,   i = 1 … p,   r_p = 1    (p = 1: ρ = [½])
/// ```
/// r_j = (λ_{s_j} − λ_s)/h are the earlier points' offsets in λ relative to the step. The fixed
/// ½ for a single weight is the reference code's choice (diffusers' `UniPCMultistepScheduler`),
/// where the system would give b₁ = ½ + O(h). g_k is summed as its series for |ĥ| < 1, where
/// the recursion would cancel k·log₁₀(1/|ĥ|) digits.
extension UniPCSampler {
    /// b_1 … b_count for `hh` = ĥ.
    static func rightHandSide(count: Int, hh: Double, variant: Variant) -> [Double] {
        let b = variant == .bh1 ? hh : Foundation.expm1(hh)
        var factorial = 1.0
        return (1..<(count + 1)).map { k in
            factorial *= Double(k)
            return factorial * g(k, hh) / b
        }
    }

    /// g_k(x) = Σ_{j≥1} x^j/(j + k)!.
    static func g(_ k: Int, _ x: Double) -> Double {
        if Swift.abs(x) < 1 {
            var term = 1.0  // x^j/(j + k)!, starting from j = 0
            for i in 1...k { term /= Double(i) }
            var sum = 0.0
            for j in 1...30 {
                term *= x / Double(j + k)
                sum += term
            }
            return sum
        }
        var value = Foundation.expm1(x) / x - 1
        var factorial = 1.0
        for i in stride(from: 2, through: k, by: 1) {
            factorial *= Double(i)
            value = value / x - 1 / factorial
        }
        return value
    }

    /// ρ of UniP-p for the earlier points' offsets `ratios` (r_1 … r_{p−1}).
    static func predictorWeights(ratios: [Double], hh: Double, variant: Variant) -> [Double] {
        switch ratios.count {
        case 0: return []
        case 1: return [0.5]
        default:
            let b = rightHandSide(count: ratios.count, hh: hh, variant: variant)
            return solve(vandermonde(ratios), b)
        }
    }

    /// ρ of UniC-p for the earlier points' offsets `ratios` (r_1 … r_{p−1}); the last weight is
    /// the new point's (r_p = 1).
    static func correctorWeights(ratios: [Double], hh: Double, variant: Variant) -> [Double] {
        guard !ratios.isEmpty else { return [0.5] }
        let nodes = ratios + [1]
        return solve(vandermonde(nodes), rightHandSide(count: nodes.count, hh: hh, variant: variant))
    }

    /// The matrix whose row i is (r_1^i, …, r_n^i), i = 0 … n − 1.
    static func vandermonde(_ nodes: [Double]) -> [[Double]] {
        (0..<nodes.count).map { i in nodes.map { Foundation.pow($0, Double(i)) } }
    }

    /// The solution of `matrix`·x = `rhs` by Gaussian elimination with partial pivoting (n ≤ 3).
    static func solve(_ matrix: [[Double]], _ rhs: [Double]) -> [Double] {
        var a = matrix
        var b = rhs
        let n = b.count
        for column in 0..<n {
            let pivot = (column..<n).max { Swift.abs(a[$0][column]) < Swift.abs(a[$1][column]) } ?? column
            a.swapAt(column, pivot)
            b.swapAt(column, pivot)
            for row in (column + 1)..<n {
                let factor = a[row][column] / a[column][column]
                for j in column..<n { a[row][j] -= factor * a[column][j] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[row]
            for j in (row + 1)..<n { sum -= a[row][j] * x[j] }
            x[row] = sum / a[row][row]
        }
        return x
    }
}
