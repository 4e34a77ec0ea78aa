import ScoreKitCore

/// Standard normal test inputs from Core's Philox streams (stream 0 of `seed`).
func normalTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var stream = RandomStream(seed: seed, stream: 0)
    return Tensor(shape: shape) { stream.fillNormal($0) } * scale
}

/// The same time and a marginal with α = 1, σ = `sigma` for `count` samples.
func condition(count: Int, sigma: Double, time: Double = 0.5, labels: [Int]? = nil) -> NoiseCondition {
    NoiseCondition(
        count: count, time: time,
        marginal: Marginal(signalScale: 1, noiseScale: sigma, signalScaleDerivative: 0, noiseScaleDerivative: 1),
        labels: labels)
}

/// A copy of `parameters` holding `tensors` (for checks that differentiate with respect to them).
func replacing(_ parameters: ParameterSet, with tensors: [Tensor]) -> ParameterSet {
    ParameterSet(Array(zip(parameters.names, tensors)))
}

/// |a − b| ≤ max(absolute, relative·max(|a|, |b|)).
func isClose(_ a: Double, _ b: Double, absolute: Double, relative: Double = 0) -> Bool {
    Swift.abs(a - b) <= Swift.max(absolute, relative * Swift.max(Swift.abs(a), Swift.abs(b)))
}
