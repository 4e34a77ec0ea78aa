import Foundation
import ScoreKitCore

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny deterministic generator for test inputs, local to
/// the tests so that they do not depend on Core's own random streams.
struct SplitMix64 {
    private var state: UInt64

    /// A generator whose whole output is fixed by `seed`.
    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform Float in [lower, upper).
    mutating func uniform(_ lower: Float, _ upper: Float) -> Float {
        lower + Float(nextUnit()) * (upper - lower)
    }

    /// A tensor of uniform values in [lower, upper).
    mutating func uniform(_ shape: [Int], _ lower: Float = -1, _ upper: Float = 1) -> Tensor {
        Tensor((0..<Tensor.elementCount(of: shape)).map { _ in uniform(lower, upper) }, shape: shape)
    }

    /// A tensor of uniform values whose magnitudes lie in [lower, upper), with random signs: inputs
    /// kept away from 0 (the kink of `abs`, the pole of `1/x`).
    mutating func awayFromZero(_ shape: [Int], _ lower: Float, _ upper: Float) -> Tensor {
        Tensor(
            (0..<Tensor.elementCount(of: shape)).map { _ in
                let magnitude = uniform(lower, upper)
                return next() & 1 == 0 ? magnitude : -magnitude
            }, shape: shape)
    }

    /// A tensor of standard normal values (Box–Muller in Double).
    mutating func normal(_ shape: [Int]) -> Tensor {
        Tensor(
            (0..<Tensor.elementCount(of: shape)).map { _ in
                let u1 = 1 - nextUnit()
                let u2 = nextUnit()
                return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
            }, shape: shape)
    }
}

/// swift-numerics' `isApproximatelyEqual`: |a − b| ≤ max(absoluteTolerance, relativeTolerance·max(|a|, |b|)).
/// Non-finite values are equal only when identical.
func isApproximatelyEqual(
    _ a: Float, _ b: Float, absoluteTolerance: Float, relativeTolerance: Float = 0
) -> Bool {
    guard a.isFinite, b.isFinite else { return a == b }
    let scale = Swift.max(Swift.abs(a), Swift.abs(b))
    return Swift.abs(a - b) <= Swift.max(absoluteTolerance, relativeTolerance * scale)
}

/// The first index where `actual` and `expected` differ beyond tolerance, with both values, or nil.
func firstMismatch(
    _ actual: [Float], _ expected: [Float], absoluteTolerance: Float, relativeTolerance: Float = 0
) -> (index: Int, actual: Float, expected: Float)? {
    precondition(actual.count == expected.count, "\(actual.count) values vs \(expected.count) expected")
    for i in actual.indices
    where !isApproximatelyEqual(
        actual[i], expected[i], absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
    {
        return (i, actual[i], expected[i])
    }
    return nil
}
