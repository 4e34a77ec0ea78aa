import Foundation
import ScoreKitCore
import ScoreKitMetrics
import Testing

/// The symmetric-matrix kernels and the Fréchet distance, against closed forms.
@Suite("Fréchet distance")
struct FrechetDistanceTests {
    /// A seeded symmetric n × n matrix B·Bᵀ (rank `rank`), positive semi-definite.
    static func gram(_ n: Int, rank: Int, seed: UInt64) -> [Double] {
        var noise = PerSampleNoise(seed: seed)
        let b = noise.normal([n, rank]).scalars.map(Double.init)
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                for k in 0..<rank { out[i * n + j] += b[i * rank + k] * b[j * rank + k] }
            }
        }
        return out
    }

    @Test(
        "Jacobi: A = V·diag(λ)·Vᵀ with V orthogonal, for full and rank-deficient matrices",
        arguments: [(12, 12), (40, 7)])
    func eigenReconstructs(n: Int, rank: Int) {
        let a = Self.gram(n, rank: rank, seed: 3)
        let (values, v) = SymmetricMatrix.eigen(a, order: n)
        let scale = a.map(Swift.abs).max() ?? 1
        var worstReconstruction = 0.0
        var worstOrthogonality = 0.0
        for i in 0..<n {
            for j in 0..<n {
                var r = 0.0
                var o = 0.0
                for k in 0..<n {
                    r += v[i * n + k] * values[k] * v[j * n + k]
                    o += v[k * n + i] * v[k * n + j]
                }
                worstReconstruction = Swift.max(worstReconstruction, Swift.abs(r - a[i * n + j]) / scale)
                worstOrthogonality = Swift.max(worstOrthogonality, Swift.abs(o - (i == j ? 1 : 0)))
            }
        }
        #expect(worstReconstruction < 1e-12, "\(worstReconstruction)")
        #expect(worstOrthogonality < 1e-12, "\(worstOrthogonality)")
        let zeros = values.filter { Swift.abs($0) < 1e-9 * scale }.count
        #expect(zeros == n - rank, "\(zeros) zero eigenvalues, expected \(n - rank)")
        #expect(values.allSatisfy { $0 > -1e-9 * scale })
    }

    @Test("tr((A·B)^½): diagonal pairs give Σ√(aᵢbᵢ); a rotation of both changes nothing; tr((A·A)^½) = tr A")
    func traceOfSquareRoot() {
        let n = 6
        let da: [Double] = [1, 4, 0.25, 9, 0, 2]
        let db: [Double] = [4, 1, 1, 16, 3, 0.5]
        var a = [Double](repeating: 0, count: n * n)
        var b = a
        for i in 0..<n {
            a[i * n + i] = da[i]
            b[i * n + i] = db[i]
        }
        let expected = zip(da, db).reduce(0) { $0 + ($1.0 * $1.1).squareRoot() }
        #expect(Swift.abs(SymmetricMatrix.traceOfSquareRootOfProduct(a, b, order: n) - expected) < 1e-10)
        // Q·A·Qᵀ and Q·B·Qᵀ for an orthogonal Q (the eigenvectors of a random Gram matrix).
        let q = SymmetricMatrix.eigen(Self.gram(n, rank: n, seed: 5), order: n).vectors
        func rotated(_ m: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: n * n)
            for i in 0..<n {
                for j in 0..<n {
                    for k in 0..<n { out[i * n + j] += q[i * n + k] * m[k * n + k] * q[j * n + k] }
                }
            }
            return out
        }
        let rotatedTrace = SymmetricMatrix.traceOfSquareRootOfProduct(rotated(a), rotated(b), order: n)
        // A's zero eigenvalue comes back as ±1e-16 after the rotation, and its square root as 1e-8.
        #expect(Swift.abs(rotatedTrace - expected) < 1e-7, "\(rotatedTrace) vs \(expected)")
        let g = Self.gram(n, rank: 4, seed: 9)
        let trace = (0..<n).reduce(0) { $0 + g[$1 * n + $1] }
        #expect(Swift.abs(SymmetricMatrix.traceOfSquareRootOfProduct(g, g, order: n) - trace) < 1e-8 * trace)
    }

    @Test("Fréchet distance: 0 for one set against itself; the closed form of the sets' own moments")
    func frechetClosedForm() {
        var noise = PerSampleNoise(seed: 11)
        let x = noise.normal([500, 3]) * Tensor([1, 2, 0.5], shape: [1, 3])
        let y = noise.normal([400, 3]) * Tensor([2, 1, 0.5], shape: [1, 3]) + Tensor([1, 0, -1], shape: [1, 3])
        #expect(Swift.abs(SampleQuality.frechetDistance(x, x)) < 1e-9)
        // For diagonal covariances FD = ‖μx − μy‖² + Σ(σx − σy)²: the populations give
        // (1 + 0 + 1) + ((1 − 2)² + (2 − 1)² + 0) = 4; the sets' own moments scatter around it.
        let fd = SampleQuality.frechetDistance(x, y)
        #expect(Swift.abs(fd - 4) < 0.3, "\(fd)")
        // One dimension: exactly (μx − μy)² + (sx − sy)² with the unbiased standard deviations.
        let x1 = Tensor([0, 1, 2, 7], shape: [4, 1])
        let y1 = Tensor([3, 5], shape: [2, 1])
        let (mx, sx) = (2.5, ((6.25 + 2.25 + 0.25 + 20.25) / 3).squareRoot())
        let (my, sy) = (4.0, 2.0.squareRoot())
        let exact = (mx - my) * (mx - my) + (sx - sy) * (sx - sy)
        #expect(Swift.abs(SampleQuality.frechetDistance(x1, y1) - exact) < 1e-9)
    }
}
