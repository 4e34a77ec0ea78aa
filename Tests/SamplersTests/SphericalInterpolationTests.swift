import Foundation
import ScoreKitCore
import ScoreKitSamplers
import Testing

/// Slerp of latents: exact ends, the norm kept between rows of equal norm, Gaussian latents'
/// norm statistics kept (where the straight line loses half the squared norm), and the
/// near-parallel limit.
@Suite struct SphericalInterpolationTests {
    static func norms(_ x: Tensor) -> [Double] {
        square(x.reshaped([x.shape[0], -1])).sum(alongAxis: 1).scalars.map { Double($0).squareRoot() }
    }

    @Test("the path starts at a and ends at b exactly, and has the shape [steps, N, d]")
    func exactEnds() {
        var noise = PerSampleNoise(seed: 1)
        let a = noise.normal([5, 3])
        let b = noise.normal([5, 3])
        let path = SphericalInterpolation.path(from: a, to: b, steps: 8)
        #expect(path.shape == [8, 5, 3])
        #expect(path.slice(alongAxis: 0, 0..<1).reshaped([5, 3]) == a)
        #expect(path.slice(alongAxis: 0, 7..<8).reshaped([5, 3]) == b)
    }

    @Test("between rows of equal norm every point has that norm; the angle moves evenly")
    func keepsTheNorm() {
        var noise = PerSampleNoise(seed: 2)
        let raw = noise.normal([6, 4])
        let b0 = noise.normal([6, 4])
        // Scale b's rows to a's norms.
        let scale = zip(Self.norms(raw), Self.norms(b0)).map { Float($0 / $1) }
        let b = b0 * Tensor(scale, shape: [6, 1])
        let path = SphericalInterpolation.path(from: raw, to: b, steps: 9)
        let expected = Self.norms(raw)
        let theta = SphericalInterpolation.angles(raw, b)
        for k in 0..<9 {
            let point = path.slice(alongAxis: 0, k..<(k + 1)).reshaped([6, 4])
            for (i, norm) in Self.norms(point).enumerated() {
                #expect(abs(norm - expected[i]) < 1e-5 * expected[i], "step \(k), row \(i): \(norm) vs \(expected[i])")
            }
            // The angle from a is u·θ.
            let fromStart = SphericalInterpolation.angles(raw, point)
            for i in 0..<6 {
                let u = Double(k) / 8
                #expect(abs(fromStart[i] - u * theta[i]) < 2e-3, "step \(k), row \(i)")
            }
        }
    }

    @Test("Gaussian latents: slerp keeps E‖z‖²/d ≈ 1 halfway, the straight line halves it")
    func gaussianNormStatistics() {
        var noise = PerSampleNoise(seed: 3)
        let (n, d) = (64, 256)
        let a = noise.normal([n, d])
        let b = noise.normal([n, d])
        let middle = SphericalInterpolation.path(from: a, to: b, steps: 3).slice(alongAxis: 0, 1..<2).reshaped([n, d])
        let slerp = Self.norms(middle).map { $0 * $0 / Double(d) }.reduce(0, +) / Double(n)
        let lerp = Self.norms((a + b) * 0.5).map { $0 * $0 / Double(d) }.reduce(0, +) / Double(n)
        // Each ‖z‖²/d has standard deviation √(2/d) ≈ 0.09; the mean of 64, about 0.011.
        #expect(abs(slerp - 1) < 0.05, "slerp halfway: E‖z‖²/d = \(slerp)")
        #expect(abs(lerp - 0.5) < 0.05, "lerp halfway: E‖z‖²/d = \(lerp)")
    }

    @Test("parallel, zero and antipodal rows take the straight line; weights at θ = π/2")
    func degenerateRows() {
        let a = Tensor([1, 2, 0, 0, 3, 4], shape: [3, 2])
        let b = Tensor([2, 4, 1, 1, -3, -4], shape: [3, 2])
        let middle = SphericalInterpolation.path(from: a, to: b, steps: 3).slice(alongAxis: 0, 1..<2)
        #expect(middle.reshaped([3, 2]) == Tensor([1.5, 3, 0.5, 0.5, 0, 0], shape: [3, 2]))
        let w = SphericalInterpolation.weights(angle: Double.pi / 2, at: 0.5)
        #expect(abs(w.a - 0.5.squareRoot()) < 1e-15 && abs(w.b - 0.5.squareRoot()) < 1e-15)
    }
}
