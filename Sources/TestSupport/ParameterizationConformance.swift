import Foundation
public import ScoreKitCore

/// What `checkParameterization(_:sde:options:)` checks and how hard.
public struct ParameterizationCheckOptions: Sendable {
    /// Times checked, evenly spread over the interior of the process's time range.
    public var timeCount = 25
    /// Samples per time, each of `dimension` values.
    public var sampleCount = 64
    /// Values per sample.
    public var dimension = 3
    /// Relative tolerance at unit conditioning; it is multiplied by κ = 1 + e^(|λ|/2), the
    /// amplification of Float32 rounding by x = α·x₀ + σ·ε when α ≪ σ or σ ≪ α.
    public var relativeTolerance = 1e-5
    /// The seed of the random data, noise and outputs.
    public var seed: UInt64 = 0x5EED

    public init() {}
}

/// Checks the laws every `Parameterization` must satisfy on a process, for ScoreKit's
/// prediction targets and plugins alike (STYLE.md §1.3: one pivot, the denoised estimate).
///
/// At each time, with x₀ and ε random and x = α·x₀ + σ·ε:
/// 1. c_skip, c_out, c_in are finite, c_out ≠ 0 and c_in > 0.
/// 2. The training target gives back the data: c_skip·x + c_out·F*(x₀, ε) = x₀.
/// 3. Output ↔ denoised round-trips: `output(fromDenoised:)` inverts `denoised(fromOutput:)`.
/// 4. Through the pivot, F* yields the exact ε, score −ε/σ, x₀, v = αε − σx₀ and u = α'x₀ + σ'ε,
///    and every `Prediction` round-trips x̂₀ → value → x̂₀.
/// Times where α or σ is 0 (an end of the range) are skipped: some predictions lose x₀ there.
public func checkParameterization(
    _ parameterization: some Parameterization, sde: some ForwardSDE,
    options: ParameterizationCheckOptions = ParameterizationCheckOptions()
) -> ConformanceReport {
    var report = ConformanceReport(
        subject: "\(type(of: parameterization)) on \(type(of: sde))")
    var random = CheckRandom(seed: options.seed)
    let shape = [options.sampleCount, options.dimension]
    func randomTensor(_ scale: Double) -> Tensor {
        Tensor((0..<(shape[0] * shape[1])).map { _ in Float(scale * random.normal()) }, shape: shape)
    }
    let range = sde.timeRange
    let span = range.upperBound - range.lowerBound
    for i in 0..<options.timeCount {
        let t = range.lowerBound + (Double(i) + 0.5) / Double(options.timeCount) * span
        let m = sde.marginal(at: t)
        guard m.signalScale > 0, m.noiseScale > 0 else { continue }
        let c = parameterization.preconditioning(for: m)
        guard [c.skipScale, c.outputScale, c.inputScale].allSatisfy(\.isFinite), c.outputScale != 0, c.inputScale > 0
        else {
            report.fail("preconditioning at t = \(t) is \(c): expected finite values, c_out ≠ 0, c_in > 0")
            continue
        }
        let kappa = 1 + Foundation.exp(0.5 * Swift.abs(m.logSignalToNoiseRatio))
        let tolerance = options.relativeTolerance * kappa
        let data = randomTensor(2)
        let noise = randomTensor(1)
        let x = data * Float(m.signalScale) + noise * Float(m.noiseScale)
        func expect(_ got: Tensor, _ expected: Tensor, _ law: String) {
            let error = tensorRelativeError(got, expected)
            report.measure("\(law) (relative error / κ)", error / kappa)
            if !(error <= tolerance) {
                report.fail(
                    "\(law) at t = \(t): relative error \(conformanceFormat(error)) > \(conformanceFormat(tolerance))")
            }
        }
        let target = parameterization.trainingTarget(data: data, noise: noise, marginal: m)
        let denoised = parameterization.denoised(fromOutput: target, noisy: x, marginal: m)
        expect(denoised, data, "training target → x₀")
        // A realistic output: the target of another (x₀, ε) pair, of the magnitude a trained
        // network produces (a unit-size score output at σ ≪ 1 would test Float32, not the law).
        let output = parameterization.trainingTarget(data: randomTensor(2), noise: randomTensor(1), marginal: m)
        let pivot = parameterization.denoised(fromOutput: output, noisy: x, marginal: m)
        expect(parameterization.output(fromDenoised: pivot, noisy: x, marginal: m), output, "output → x̂₀ → output")
        for prediction in Prediction.allCases {
            let exact: Tensor
            switch prediction {
            case .epsilon: exact = noise
            case .score: exact = noise * Float(-1 / m.noiseScale)
            case .denoised: exact = data
            case .velocity: exact = noise * Float(m.signalScale) - data * Float(m.noiseScale)
            case .flowVelocity:
                exact = data * Float(m.signalScaleDerivative) + noise * Float(m.noiseScaleDerivative)
            }
            let value = parameterization.value(prediction, fromOutput: target, noisy: x, marginal: m)
            expect(value, exact, "F* → \(prediction.rawValue)")
            let back = prediction.denoised(
                from: prediction.value(fromDenoised: pivot, noisy: x, marginal: m), noisy: x, marginal: m)
            expect(back, pivot, "x̂₀ → \(prediction.rawValue) → x̂₀")
        }
    }
    return report
}

/// max|a − b| / max|b| over all elements (∞ for non-finite values).
func tensorRelativeError(_ a: Tensor, _ b: Tensor) -> Double {
    let (x, y) = (a.scalars, b.scalars)
    precondition(x.count == y.count, "comparing tensors of shapes \(a.shape) and \(b.shape)")
    var difference = 0.0
    var scale = 0.0
    for (u, v) in zip(x, y) {
        guard u.isFinite, v.isFinite else { return .infinity }
        difference = Swift.max(difference, Swift.abs(Double(u) - Double(v)))
        scale = Swift.max(scale, Swift.abs(Double(v)))
    }
    return scale == 0 ? difference : difference / scale
}
