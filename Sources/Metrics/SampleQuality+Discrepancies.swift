import Foundation
public import ScoreKitCore

extension SampleQuality {
    /// The squared maximum mean discrepancy (Gretton et al. 2012) between `x` and `y` with the
    /// Gaussian (RBF) kernel of bandwidth h, as the unbiased U-statistic:
    ///
    /// ```
    /// k(a, b) = exp(−‖a − b‖² / (2h²))
    /// MMD²_u = 1/(n(n−1))·Σ_{i≠i'} k(x_i, x_i') + 1/(m(m−1))·Σ_{j≠j'} k(y_j, y_j') − 2/(nm)·Σ_ij k(x_i, y_j)
    /// ```
    /// Zero in expectation for equal distributions (and may then be slightly negative); for two
    /// point masses at distance δ it is 2 − 2·exp(−δ²/2h²). O((n + m)²·d), summed in Double.
    /// - Precondition: n, m ≥ 2, the same number of values per sample, h > 0.
    public static func maximumMeanDiscrepancySquared(_ x: Tensor, _ y: Tensor, bandwidth h: Double) -> Double {
        let a = Columns(x)
        let b = Columns(y)
        precondition(a.count >= 2 && b.count >= 2, "the MMD needs at least 2 samples of each")
        precondition(a.width == b.width, "samples of \(a.width) and \(b.width) values cannot be compared")
        precondition(h > 0 && h.isFinite, "the RBF bandwidth must be > 0, got \(h)")
        let (n, m) = (Double(a.count), Double(b.count))
        let gamma = 1 / (2 * h * h)
        let xx = 2 * kernelSum(a, a, gamma: gamma, upperTriangle: true) / (n * (n - 1))
        let yy = 2 * kernelSum(b, b, gamma: gamma, upperTriangle: true) / (m * (m - 1))
        let xy = kernelSum(a, b, gamma: gamma, upperTriangle: false) / (n * m)
        return xx + yy - 2 * xy
    }

    /// The median of the pairwise distances ‖a_i − a_j‖ (i < j) among the first `limit` samples
    /// of `samples`: the usual "median heuristic" RBF bandwidth (Gretton et al. 2012).
    /// - Precondition: at least 2 samples.
    public static func medianPairwiseDistance(_ samples: Tensor, limit: Int = 1_000) -> Double {
        let s = Columns(samples)
        let n = Swift.min(s.count, limit)
        precondition(n >= 2, "a median distance needs at least 2 samples")
        var distances: [Double] = []
        distances.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<n {
            for j in (i + 1)..<n {
                var d2 = 0.0
                for k in 0..<s.width {
                    let diff = Double(s.columns[k][i]) - Double(s.columns[k][j])
                    d2 += diff * diff
                }
                distances.append(d2.squareRoot())
            }
        }
        distances.sort()
        let middle = distances.count / 2
        return distances.count % 2 == 1 ? distances[middle] : 0.5 * (distances[middle - 1] + distances[middle])
    }

    /// The sliced 2-Wasserstein distance (Rabin et al. 2011; Bonneel et al. 2015) between the
    /// empirical distributions of `x` and `y`, over L random unit directions θ_l:
    ///
    /// ```
    /// SW₂ = ( 1/L·Σ_l W₂²(θ_lᵀx, θ_lᵀy) )^½,   W₂²(u, v) = ∫₀¹ (F_u⁻¹(q) − F_v⁻¹(q))² dq
    /// ```
    /// Each 1-D W₂² is exact for the two empirical distributions (the sorted projections'
    /// quantile functions are merged at every break point q = i/n and j/m), so n and m may
    /// differ. The directions are normal draws, normalised, from stream 0 of `seed`; in one
    /// dimension every direction is ±1 and SW₂ is W₂. A shift of y by a vector c gives
    /// SW₂² = W₂²(x, y − c) + ‖c‖²/d on average over directions (exactly ‖c‖²/d for identical
    /// sets, because E[(θᵀc)²] = ‖c‖²/d for θ uniform on the sphere).
    /// - Precondition: n, m ≥ 1, the same number of values per sample, L ≥ 1.
    public static func slicedWasserstein2(_ x: Tensor, _ y: Tensor, projectionCount: Int, seed: UInt64) -> Double {
        let a = Columns(x)
        let b = Columns(y)
        precondition(a.count >= 1 && b.count >= 1, "the sliced Wasserstein distance needs samples on both sides")
        precondition(a.width == b.width, "samples of \(a.width) and \(b.width) values cannot be compared")
        precondition(projectionCount >= 1, "at least one projection")
        var stream = RandomStream(seed: seed, stream: 0)
        var total = 0.0
        var direction = [Float](repeating: 0, count: a.width)
        for _ in 0..<projectionCount {
            var norm: Float = 0
            repeat {
                direction.withUnsafeMutableBufferPointer { stream.fillNormal($0) }
                norm = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
            } while !(norm > 1e-6)
            let unit = direction.map { Double($0 / norm) }
            total += wasserstein2Squared(project(a, on: unit).sorted(), project(b, on: unit).sorted())
        }
        return (total / Double(projectionCount)).squareRoot()
    }

    /// W₂² between two empirical distributions on the line, given their sorted values.
    static func wasserstein2Squared(_ u: [Double], _ v: [Double]) -> Double {
        let (n, m) = (Double(u.count), Double(v.count))
        var (i, j) = (0, 0)
        var q = 0.0
        var total = 0.0
        while i < u.count && j < v.count {
            let nextU = Double(i + 1) / n
            let nextV = Double(j + 1) / m
            let next = Swift.min(nextU, nextV)
            let diff = u[i] - v[j]
            total += (next - q) * diff * diff
            q = next
            if nextU <= next { i += 1 }
            if nextV <= next { j += 1 }
        }
        return total
    }

    private static func project(_ s: Columns, on direction: [Double]) -> [Double] {
        (0..<s.count).map { i in
            var dot = 0.0
            for k in 0..<s.width { dot += Double(s.columns[k][i]) * direction[k] }
            return dot
        }
    }

    /// Σ k(a_i, b_j) over all pairs, or over j > i when `upperTriangle`.
    private static func kernelSum(_ a: Columns, _ b: Columns, gamma: Double, upperTriangle: Bool) -> Double {
        let d = a.width
        var total = 0.0
        var row = [Double](repeating: 0, count: b.count)
        for i in 0..<a.count {
            let first = upperTriangle ? i + 1 : 0
            guard first < b.count else { continue }
            for j in first..<b.count { row[j] = 0 }
            for k in 0..<d {
                let value = Double(a.columns[k][i])
                let column = b.columns[k]
                for j in first..<b.count {
                    let diff = value - Double(column[j])
                    row[j] += diff * diff
                }
            }
            var sum = 0.0
            for j in first..<b.count { sum += Foundation.exp(-gamma * row[j]) }
            total += sum
        }
        return total
    }
}
