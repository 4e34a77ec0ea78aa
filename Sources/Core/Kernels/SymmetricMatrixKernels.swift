import Foundation

/// Dense symmetric matrices in Double, row-major `[n · n]`: the moments of a set of rows, the
/// eigen-decomposition by cyclic Jacobi rotations, and tr((A·B)^½) for positive semi-definite A
/// and B (the cross term of the Fréchet distance between Gaussians).
///
/// Jacobi rotations (Golub & Van Loan, *Matrix Computations*, §8.5) converge quadratically and
/// give eigenvalues to near machine precision relative to ‖A‖, zero ones included: what a
/// covariance of fewer rows than columns needs. The cost is about 8 sweeps of n³ flops; for
/// n = 256 a few hundred milliseconds.
public enum SymmetricMatrix {
    /// The mean `[d]` and the unbiased covariance `[d · d]` (divided by N − 1) of the rows of a
    /// row-major `[N, d]` array, accumulated in Double around the mean.
    /// - Precondition: N ≥ 2 and `values.count == N · d`.
    public static func meanAndCovariance(rows values: [Float], width d: Int) -> (mean: [Double], covariance: [Double]) {
        precondition(d > 0 && values.count % d == 0 && values.count / d >= 2, "need at least 2 rows of \(d) values")
        let n = values.count / d
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n {
            for j in 0..<d { mean[j] += Double(values[r * d + j]) }
        }
        for j in 0..<d { mean[j] /= Double(n) }
        var covariance = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        for r in 0..<n {
            for j in 0..<d { centred[j] = Double(values[r * d + j]) - mean[j] }
            for i in 0..<d {
                let ci = centred[i]
                if ci == 0 { continue }
                for j in i..<d { covariance[i * d + j] += ci * centred[j] }
            }
        }
        for i in 0..<d {
            for j in i..<d {
                let value = covariance[i * d + j] / Double(n - 1)
                covariance[i * d + j] = value
                covariance[j * d + i] = value
            }
        }
        return (mean, covariance)
    }

    /// The eigenvalues of the symmetric `a` `[n · n]` (unsorted) and its eigenvectors, vector k
    /// in column k of the row-major `[n · n]` matrix: a = V·diag(λ)·Vᵀ. Only the upper triangle
    /// of `a` is read.
    public static func eigen(_ a: [Double], order n: Int) -> (values: [Double], vectors: [Double]) {
        precondition(a.count == n * n, "a \(n) × \(n) matrix has \(n * n) values, got \(a.count)")
        var m = a
        for i in 0..<n {
            for j in 0..<i { m[i * n + j] = m[j * n + i] }
        }
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        let scale = m.reduce(0) { $0 + $1 * $1 }
        guard scale > 0 else { return ([Double](repeating: 0, count: n), v) }
        m.withUnsafeMutableBufferPointer { mBuffer in
            v.withUnsafeMutableBufferPointer { vBuffer in
                guard let mp = mBuffer.baseAddress, let vp = vBuffer.baseAddress else { return }
                for _ in 0..<64 {
                    var offDiagonal = 0.0
                    for p in 0..<n {
                        for q in (p + 1)..<n { offDiagonal += mp[p * n + q] * mp[p * n + q] }
                    }
                    if offDiagonal <= 1e-30 * scale { break }
                    for p in 0..<n {
                        for q in (p + 1)..<n { rotate(mp, vp, n: n, p: p, q: q) }
                    }
                }
            }
        }
        return ((0..<n).map { m[$0 * n + $0] }, v)
    }

    /// Zeroes m[p, q] by the rotation J(p, q, θ): m ← Jᵀ·m·J, v ← v·J.
    private static func rotate(
        _ m: UnsafeMutablePointer<Double>, _ v: UnsafeMutablePointer<Double>, n: Int, p: Int, q: Int
    ) {
        let apq = m[p * n + q]
        if apq == 0 { return }
        let app = m[p * n + p]
        let aqq = m[q * n + q]
        // tan θ as the smaller root of t² + 2τt − 1 = 0, τ = (a_qq − a_pp)/(2a_pq): |θ| ≤ π/4.
        let tau = (aqq - app) / (2 * apq)
        let t = (tau >= 0 ? 1 : -1) / (Swift.abs(tau) + (1 + tau * tau).squareRoot())
        let c = 1 / (1 + t * t).squareRoot()
        let s = t * c
        for k in 0..<n {
            let mkp = m[k * n + p]
            let mkq = m[k * n + q]
            m[k * n + p] = c * mkp - s * mkq
            m[k * n + q] = s * mkp + c * mkq
        }
        for k in 0..<n {
            let mpk = m[p * n + k]
            let mqk = m[q * n + k]
            m[p * n + k] = c * mpk - s * mqk
            m[q * n + k] = s * mpk + c * mqk
        }
        m[p * n + q] = 0
        m[q * n + p] = 0
        for k in 0..<n {
            let vkp = v[k * n + p]
            let vkq = v[k * n + q]
            v[k * n + p] = c * vkp - s * vkq
            v[k * n + q] = s * vkp + c * vkq
        }
    }

    /// tr((A·B)^½) for symmetric positive semi-definite A and B `[n · n]`, as
    /// Σ √μ_k over the eigenvalues μ_k of A^½·B·A^½ (similar to A·B, and symmetric). Eigenvalues
    /// that rounding leaves slightly negative count as 0.
    public static func traceOfSquareRootOfProduct(_ a: [Double], _ b: [Double], order n: Int) -> Double {
        let (values, vectors) = eigen(a, order: n)
        // A^½ = V·diag(√λ)·Vᵀ.
        var root = [Double](repeating: 0, count: n * n)
        for k in 0..<n {
            let r = Swift.max(values[k], 0).squareRoot()
            if r == 0 { continue }
            for i in 0..<n {
                let vik = vectors[i * n + k] * r
                for j in 0..<n { root[i * n + j] += vik * vectors[j * n + k] }
            }
        }
        let product = multiply(multiply(root, b, n: n), root, n: n)
        return eigen(product, order: n).values.reduce(0) { $0 + Swift.max($1, 0).squareRoot() }
    }

    /// x·y for `[n · n]` matrices.
    static func multiply(_ x: [Double], _ y: [Double], n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for k in 0..<n {
                let xik = x[i * n + k]
                if xik == 0 { continue }
                for j in 0..<n { out[i * n + j] += xik * y[k * n + j] }
            }
        }
        return out
    }
}
