import ScoreKitCore
import ScoreKitTesting
import Testing

/// x² whose autodiff gradient is wrong: x instead of 2x, since one factor is cut from the tape.
private func squareWithWrongGradient(_ x: Tensor) -> Tensor {
    x * x.detached()
}

/// x² whose first derivative 2x is right but not differentiable: it is computed from a detached x,
/// so the second derivative comes out 0 instead of 2.
private func squareWithDetachedBackward(_ x: Tensor) -> Tensor {
    x * (2 * x.detached()) - (x * x).detached()
}

/// The checker itself: it passes right gradients and catches wrong ones.
@Suite("Gradient checker")
struct GradientCheckTests {
    static let seed: UInt64 = 0xC4EC_0001

    @Test func passesACorrectGradientAndReportsErrors() {
        var rng = SplitMix64(seed: GradientCheckTests.seed)
        let x = rng.uniform([2, 3])
        let result = checkGradients(of: { exp($0) * 2 }, at: x, absoluteTolerance: 1e-3, relativeTolerance: 5e-3)
        #expect(result.passed, "\(result)")
        #expect(result.order == 1)
        #expect(result.checkedCount == 6)
        #expect(result.elements.count == 6)
        #expect(result.failureCount == 0)
        #expect(result.maxAbsoluteError < 1e-3)
        #expect(result.maxRelativeError < 5e-3)
        #expect(result.worst != nil)
        #expect(result.description.hasPrefix("gradient check passed: 6 elements"))
    }

    @Test func catchesAWrongFirstDerivative() {
        var rng = SplitMix64(seed: GradientCheckTests.seed)
        let x = rng.awayFromZero([2, 3], 0.5, 1)
        let result = checkGradients(
            of: { squareWithWrongGradient($0) }, at: x, absoluteTolerance: 1e-3, relativeTolerance: 5e-3)
        #expect(!result.passed)
        #expect(result.failureCount == 6)
        // Autodiff gives x·w, the finite difference 2x·w: relative error ½ everywhere.
        #expect(isApproximatelyEqual(Float(result.maxRelativeError), 0.5, absoluteTolerance: 1e-3))
        if let worst = result.worst {
            #expect(
                isApproximatelyEqual(
                    Float(worst.finiteDifference), 2 * Float(worst.autodiff), absoluteTolerance: 1e-3,
                    relativeTolerance: 1e-3),
                "\(worst)")
        }
        #expect(result.description.contains("FAILED (6 of 6 elements outside tolerance)"), "\(result)")
    }

    @Test func catchesAGradientThatIsNotDifferentiable() {
        var rng = SplitMix64(seed: GradientCheckTests.seed)
        let x = rng.uniform([4], -1, 1)
        let first = checkGradients(
            of: { squareWithDetachedBackward($0) }, at: x, absoluteTolerance: 1e-3, relativeTolerance: 5e-3)
        #expect(first.passed, "\(first)")
        let second = checkSecondOrder(
            of: { squareWithDetachedBackward($0) }, at: x, absoluteTolerance: 1e-3, relativeTolerance: 1e-2)
        #expect(!second.passed)
        #expect(second.order == 2)
        #expect(second.description.hasPrefix("second-order gradient check FAILED"), "\(second)")
        let right = checkSecondOrder(of: { square($0) }, at: x, absoluteTolerance: 1e-3, relativeTolerance: 1e-2)
        #expect(right.passed, "\(right)")
    }

    @Test func seedAndDirectionsAreUsedAsGiven() {
        // f(x) = x², seed w, direction v: ∇⟨w, f⟩ = 2wx and ∇⟨v, 2wx⟩ = 2wv.
        let x = Tensor([1, 2, 3])
        let w = Tensor([1, 0, -1])
        let v = Tensor([0.5, 1, 2])
        let first = checkGradients(of: { square($0) }, at: x, seed: w, absoluteTolerance: 1e-3, relativeTolerance: 5e-3)
        #expect(first.passed, "\(first)")
        #expect(first.elements.map(\.autodiff) == [2, 0, -6])
        let second = checkSecondOrder(
            of: { square($0) }, at: x, direction: v, seed: w, absoluteTolerance: 1e-3, relativeTolerance: 1e-2)
        #expect(second.passed, "\(second)")
        #expect(second.elements.map(\.autodiff) == [1, 0, -4])
        #expect(second.elements.map(\.index) == [[0], [1], [2]])
    }

    @Test func functionsThatIgnoreAnInputOrAreLinear() {
        let a = Tensor([1, 2, 3])
        let b = Tensor([4, 5])
        let ignoring = checkGradients(of: { $0[0] * 2 }, at: [a, b], absoluteTolerance: 1e-4, relativeTolerance: 1e-3)
        #expect(ignoring.passed, "\(ignoring)")
        #expect(ignoring.checkedCount == 5)
        #expect(ignoring.elements.filter { $0.input == 1 }.allSatisfy { $0.autodiff == 0 && $0.finiteDifference == 0 })
        // A linear function has a zero second derivative, and no graph to differentiate.
        let linear = checkSecondOrder(of: { $0 * 3 + 1 }, at: a, absoluteTolerance: 1e-4, relativeTolerance: 1e-3)
        #expect(linear.passed, "\(linear)")
        #expect(linear.maxAbsoluteError == 0)
    }

    @Test func nonFiniteValuesFail() {
        let result = GradientCheckResult(
            order: 1,
            elements: [
                .init(input: 0, index: [0], autodiff: 1, finiteDifference: 1),
                .init(input: 0, index: [1], autodiff: .nan, finiteDifference: 1),
            ], absoluteTolerance: 1, relativeTolerance: 1, step: 1e-3)
        #expect(!result.passed)
        #expect(result.failureCount == 1)
        #expect(result.maxAbsoluteError.isNaN)
        #expect(result.worst?.index == [1])
    }
}
