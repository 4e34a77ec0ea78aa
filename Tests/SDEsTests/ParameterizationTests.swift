import Foundation
import ScoreKitCore
import ScoreKitSDEs
import ScoreKitTesting
import Testing

/// The laws every registered parameterization satisfies on every process (`checkParameterization`),
/// and round trips between all predictions through the one pivot, x̂₀.
@Suite("Parameterization")
struct ParameterizationTests {
    static let ids = testRegistry.ids(of: .parameterization).map(\.rawValue)

    @Test("training target, output round trip, every prediction through x̂₀", arguments: ids, allProcesses)
    func conformance(_ id: String, _ process: ProcessCase) throws {
        let parameterization = try testRegistry.make(.parameterization, from: ["kind": .string(id)])
        let report = checkParameterization(parameterization, sde: process.sde)
        let worst = report.measurements.values.max() ?? 0
        print("[\(id) on \(process.name)] worst relative error / κ: \(worst)")
        #expect(report.passed, "\(report)")
    }

    /// p → x̂₀ → q → x̂₀ → p for every pair, at random times with SNR in [e^−4.6, e^4.6] (α and σ
    /// both ≳ 0.1 of the total scale, where Float32 loses no digits to the conversion itself).
    @Test("every conversion between ε, score, x₀, v and u round-trips to 1e-5", arguments: allProcesses)
    func pairwiseRoundTrips(_ process: ProcessCase) {
        let sde = process.sde
        var random = TestRandom(seed: 31)
        var worst = 0.0
        for _ in 0..<20 {
            let t = sde.time(forLogSignalToNoiseRatio: random.uniform(-4.6, 4.6))
            guard sde.timeRange.contains(t) else { continue }
            let m = sde.marginal(at: t)
            let data = Tensor((0..<32).map { _ in Float(2 * random.normal()) }, shape: [16, 2])
            let noise = Tensor((0..<32).map { _ in Float(random.normal()) }, shape: [16, 2])
            let x = data * Float(m.signalScale) + noise * Float(m.noiseScale)
            for p in Prediction.allCases {
                let value = p.value(fromDenoised: data, noisy: x, marginal: m)
                for q in Prediction.allCases {
                    let other = q.value(
                        fromDenoised: p.denoised(from: value, noisy: x, marginal: m), noisy: x, marginal: m)
                    let back = p.value(
                        fromDenoised: q.denoised(from: other, noisy: x, marginal: m), noisy: x, marginal: m)
                    let error = relativeError(back, value)
                    worst = Swift.max(worst, error)
                    #expect(error < 1e-5, "\(p) → \(q) → \(p) at t = \(t): \(error)")
                }
            }
        }
        print("[\(process.name)] worst pairwise round-trip relative error: \(worst)")
    }

    @Test func simpleTargetsAreTheDocumentedOnes() {
        let sde = LinearInterpolantSDE()
        let m = sde.marginal(at: 0.3)
        let data = Tensor([1, -2, 0.5, 3], shape: [2, 2])
        let noise = Tensor([0.3, 0.1, -1, 2], shape: [2, 2])
        let cases: [(any Parameterization, Tensor)] = [
            (EpsilonPrediction(), noise),
            (ScorePrediction(), noise * Float(-1 / 0.3)),
            (DenoisedPrediction(), data),
            (VelocityPrediction(), noise * 0.7 - data * 0.3),
            (FlowVelocityPrediction(), noise - data),
        ]
        for (parameterization, expected) in cases {
            let target = parameterization.trainingTarget(data: data, noise: noise, marginal: m)
            #expect(relativeError(target, expected) < 1e-6, "\(type(of: parameterization))")
        }
    }
}

/// max|a − b| / max|b|.
func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
    let pairs = zip(a.scalars, b.scalars).map { (Double($0), Double($1)) }
    let scale = pairs.map { Swift.abs($0.1) }.max() ?? 0
    let difference = pairs.map { Swift.abs($0.0 - $0.1) }.max() ?? 0
    return scale == 0 ? difference : difference / scale
}
