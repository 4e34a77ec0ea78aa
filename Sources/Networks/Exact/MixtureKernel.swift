import Foundation

/// The mixture's parameters in flat buffers, diagonalised, written once at initialisation and
/// read-only afterwards (hence `@unchecked Sendable`): the evaluation kernel reads them through
/// raw pointers, which keeps it fast in unoptimised builds too.
final class MixtureStorage: @unchecked Sendable {
    let componentCount: Int
    let dimension: Int
    /// log w_k.
    let logWeights: UnsafeMutablePointer<Double>
    /// μ_k, row k.
    let means: UnsafeMutablePointer<Double>
    /// The eigenvalues of Σ_k, row k.
    let variances: UnsafeMutablePointer<Double>
    /// U_k row-major (eigenvector j in column j), block k; identity blocks for diagonal Σ_k.
    let rotations: UnsafeMutablePointer<Double>
    /// Whether Σ_k is not diagonal (U_k ≠ I).
    let isRotated: [Bool]

    init(logWeights: [Double], means: [[Double]], variances: [[Double]], rotations: [[Double]?]) {
        let (k, d) = (logWeights.count, means[0].count)
        componentCount = k
        dimension = d
        self.logWeights = .allocate(capacity: k)
        self.means = .allocate(capacity: k * d)
        self.variances = .allocate(capacity: k * d)
        self.rotations = .allocate(capacity: k * d * d)
        self.rotations.initialize(repeating: 0, count: k * d * d)
        isRotated = rotations.map { $0 != nil }
        for c in 0..<k {
            self.logWeights[c] = logWeights[c]
            for j in 0..<d {
                self.means[c * d + j] = means[c][j]
                self.variances[c * d + j] = variances[c][j]
                if rotations[c] == nil { self.rotations[(c * d + j) * d + j] = 1 }
            }
            if let u = rotations[c] { for i in 0..<(d * d) { self.rotations[c * d * d + i] = u[i] } }
        }
    }

    deinit {
        logWeights.deallocate()
        means.deallocate()
        variances.deallocate()
        rotations.deallocate()
    }
}

/// Scratch memory for evaluating one point after another, and the results of the last point.
final class MixtureWorkspace {
    let componentCount: Int
    let dimension: Int
    /// log(w_k N_k(x)), then p(k | x) after `evaluate`.
    let posterior: UnsafeMutablePointer<Double>
    /// s_k(x) = −C_k⁻¹(x − αμ_k), row k.
    let componentScores: UnsafeMutablePointer<Double>
    /// E[x₀ | x, k], row k.
    let componentDenoised: UnsafeMutablePointer<Double>
    /// tr C_k⁻¹.
    let traces: UnsafeMutablePointer<Double>
    /// ∇log p_t(x) and E[x₀ | x] after `evaluate`.
    let score: UnsafeMutablePointer<Double>
    let denoised: UnsafeMutablePointer<Double>
    private let y: UnsafeMutablePointer<Double>
    private let w: UnsafeMutablePointer<Double>

    init(componentCount k: Int, dimension d: Int) {
        componentCount = k
        dimension = d
        posterior = .allocate(capacity: k)
        componentScores = .allocate(capacity: k * d)
        componentDenoised = .allocate(capacity: k * d)
        traces = .allocate(capacity: k)
        score = .allocate(capacity: d)
        denoised = .allocate(capacity: d)
        y = .allocate(capacity: d)
        w = .allocate(capacity: d)
    }

    deinit {
        for pointer in [posterior, componentScores, componentDenoised, traces, score, denoised, y, w] {
            pointer.deallocate()
        }
    }

    /// Evaluates the mixture `m` at `x` (d values) under scales (α, σ); returns log p_t(x) and
    /// ∇·∇log p_t(x), leaving the rest in this workspace. See `GaussianMixture` for the formulas.
    func evaluate(
        _ m: MixtureStorage, at x: UnsafePointer<Double>, alpha: Double, sigma: Double
    )
        -> (logDensity: Double, scoreDivergence: Double)
    {
        let (k, d) = (componentCount, dimension)
        let logNormaliser = Double(d) * Foundation.log(2 * Double.pi)
        let (alpha2, sigma2) = (alpha * alpha, sigma * sigma)
        var largest = -Double.infinity
        for c in 0..<k {
            let mean = m.means + c * d
            let variances = m.variances + c * d
            let u = m.rotations + c * d * d
            let rotated = m.isRotated[c]
            // y = Uᵀ(x − αμ), w = (α²Λ + σ²)⁻¹ y.
            for j in 0..<d { w[j] = x[j] - alpha * mean[j] }
            if rotated {
                for i in 0..<d {
                    var sum = 0.0
                    for j in 0..<d { sum += u[j * d + i] * w[j] }
                    y[i] = sum
                }
            } else {
                for j in 0..<d { y[j] = w[j] }
            }
            var quadratic = 0.0
            var logDeterminant = 0.0
            var trace = 0.0
            for j in 0..<d {
                let variance = alpha2 * variances[j] + sigma2
                w[j] = y[j] / variance
                quadratic += y[j] * w[j]
                logDeterminant += Foundation.log(variance)
                trace += 1 / variance
                y[j] = alpha * variances[j] * w[j]  // now Λw·α, the shrinkage in the eigenbasis
            }
            let logTerm = m.logWeights[c] - 0.5 * (logNormaliser + logDeterminant + quadratic)
            posterior[c] = logTerm
            largest = Swift.max(largest, logTerm)
            traces[c] = trace
            let scoreRow = componentScores + c * d
            let denoisedRow = componentDenoised + c * d
            for i in 0..<d {
                var s = 0.0
                var shrink = 0.0
                if rotated {
                    for j in 0..<d {
                        s += u[i * d + j] * w[j]
                        shrink += u[i * d + j] * y[j]
                    }
                } else {
                    s = w[i]
                    shrink = y[i]
                }
                scoreRow[i] = -s
                denoisedRow[i] = mean[i] + shrink
            }
        }
        var total = 0.0
        for c in 0..<k { total += Foundation.exp(posterior[c] - largest) }
        let logDensity = largest + Foundation.log(total)
        for j in 0..<d {
            score[j] = 0
            denoised[j] = 0
        }
        var divergence = 0.0
        for c in 0..<k {
            let r = Foundation.exp(posterior[c] - logDensity)
            posterior[c] = r
            var norm2 = 0.0
            for j in 0..<d {
                let s = componentScores[c * d + j]
                score[j] += r * s
                denoised[j] += r * componentDenoised[c * d + j]
                norm2 += s * s
            }
            divergence += r * (norm2 - traces[c])
        }
        for j in 0..<d { divergence -= score[j] * score[j] }
        return (logDensity, divergence)
    }
}
