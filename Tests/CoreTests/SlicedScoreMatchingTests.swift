import Foundation
import ScoreKitCore
import ScoreKitTesting
import Testing

/// Sliced score matching (Song et al. 2019) through the engine's double backward: the parameter
/// gradient of an objective that contains an input gradient, against central finite differences.
@Suite("Sliced score matching")
struct SlicedScoreMatchingTests {
    static let seed: UInt64 = 0x55AA_2019
    static let (batch, dimension, hidden) = (6, 3, 8)

    /// s_θ(x) = W2·silu(W1·x + b1) + b2, row by row.
    static func score(_ x: Tensor, _ theta: [Tensor]) -> Tensor {
        Tensor.linear(silu(Tensor.linear(x, weight: theta[0], bias: theta[1])), weight: theta[2], bias: theta[3])
    }

    /// J(θ) = mean over the batch of vᵀ(∂s/∂x)v + ½(vᵀs)², with vᵀ(∂s/∂x)v = vᵀ∇ₓ(vᵀs).
    static func objective(_ x: Tensor, _ v: Tensor, _ theta: [Tensor]) -> Tensor {
        let input = x.tracked()
        let s = score(input, theta)
        let vs = Tensor.rowDot(v, s)
        // Rows are independent, so a seed of ones gives every row's ∇ₓ(vᵀs) at once.
        let jv = gradients(of: vs, wrt: [input], createGraph: true)[0]
        return (Tensor.rowDot(v, jv) + 0.5 * square(vs)).mean()
    }

    static func problem() -> (x: Tensor, v: Tensor, theta: [Tensor]) {
        var rng = SplitMix64(seed: seed)
        let x = rng.normal([batch, dimension])
        let v = rng.normal([batch, dimension])
        let theta = [
            rng.normal([hidden, dimension]) * 0.7, rng.normal([hidden]) * 0.3,
            rng.normal([dimension, hidden]) * 0.5, rng.normal([dimension]) * 0.3,
        ]
        return (x, v, theta)
    }

    @Test func objectiveMatchesItsDefinition() {
        // One sample, one dimension, s(x) = w2·silu(w1·x + b1) + b2: vᵀ(∂s/∂x)v = v²·w2·silu'(z)·w1.
        let theta = [Tensor([0.8], shape: [1, 1]), Tensor([0.1]), Tensor([-1.2], shape: [1, 1]), Tensor([0.3])]
        let (x, v): (Float, Float) = (0.5, 1.5)
        let z = 0.8 * x + 0.1
        let sigma = 1 / (1 + Foundation.exp(-z))
        let s = -1.2 * z * sigma + 0.3
        let jacobian = -1.2 * sigma * (1 + z * (1 - sigma)) * 0.8
        let expected = v * v * jacobian + 0.5 * (v * s) * (v * s)
        let j = SlicedScoreMatchingTests.objective(Tensor([x], shape: [1, 1]), Tensor([v], shape: [1, 1]), theta)
        #expect(
            isApproximatelyEqual(j.scalar, expected, absoluteTolerance: 1e-6, relativeTolerance: 1e-5),
            "\(j.scalar) vs \(expected)")
    }

    @Test func parameterGradientMatchesFiniteDifferences() {
        let (x, v, theta) = SlicedScoreMatchingTests.problem()
        let result = checkGradients(
            of: { SlicedScoreMatchingTests.objective(x, v, $0) }, at: theta, step: 1e-3,
            absoluteTolerance: 1e-5, relativeTolerance: 1e-2)
        // Every parameter within 1e-2 relative (1e-5 absolute only for a gradient that is ≈ 0).
        #expect(result.passed, "\(result)")
        #expect(result.checkedCount == 8 * 3 + 8 + 3 * 8 + 3)
        // Norm-wise over all 59 parameters: ‖autodiff − fd‖ / ‖fd‖ ≤ 1e-2.
        var difference = 0.0
        var reference = 0.0
        for e in result.elements {
            difference += (e.autodiff - e.finiteDifference) * (e.autodiff - e.finiteDifference)
            reference += e.finiteDifference * e.finiteDifference
        }
        let relative = (difference / reference).squareRoot()
        #expect(relative <= 1e-2, "norm-wise relative error \(relative)")
        // Every weight matrix receives a non-zero gradient (the W1 path goes through silu'').
        for i in 0..<4 {
            #expect(result.elements.contains { $0.input == i && Swift.abs($0.autodiff) > 1e-4 }, "parameter \(i)")
        }
    }
}
