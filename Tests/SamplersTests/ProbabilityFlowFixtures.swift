import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import Testing

/// The processes the deterministic samplers are checked on, with the end time of their grids:
/// ε = 1e-3 for VP and sub-VP, 1e-5 for VE (score_sde's sampling `eps`).
enum ProcessCase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case variancePreserving = "variance-preserving"
    case subVariancePreserving = "sub-variance-preserving"
    case varianceExploding = "variance-exploding"

    var sde: any ForwardSDE {
        switch self {
        case .variancePreserving: VariancePreservingSDE()
        case .subVariancePreserving: SubVariancePreservingSDE()
        case .varianceExploding: VarianceExplodingSDE()
        }
    }

    var endTime: Double { self == .varianceExploding ? 1e-5 : 1e-3 }

    var testDescription: String { rawValue }
}

/// The seed's ring: 8 components of standard deviation 0.4 on a circle of radius 5.
let ringMixture: GaussianMixture = {
    var mixture = GaussianMixture.ring()
    mixture.prediction = .denoised
    return mixture
}()

/// The exact reverse process of the ring under `sde`: x̂₀ is the mixture's posterior mean.
func exactProcess<SDE: ForwardSDE>(_ sde: SDE) -> ModelReverseProcess<SDE, DenoisedPrediction, GaussianMixture> {
    ModelReverseProcess(sde: sde, parameterization: DenoisedPrediction(), model: ringMixture)
}

/// `steps` steps uniform in t from the prior end t = 1 down to `end`.
func uniformTimes(steps: Int, from start: Double = 1, to end: Double) -> [Double] {
    (0...steps).map { $0 == steps ? end : start + Double($0) / Double(steps) * (end - start) }
}

/// `count` draws from the prior N(0, σ(T)²·I) of `sde`, seeded.
func priorSamples(_ sde: some ForwardSDE, count: Int, seed: UInt64 = 11) -> Tensor {
    var noise = PerSampleNoise(seed: seed)
    return sde.samplePrior([count, 2], noise: &noise)
}

/// The probability-flow ODE of the ring solved in Double by RK4 with `stepCount` steps
/// geometric in t (dense near t = 0, where VP's flow is fastest): the reference solution.
/// At 2000 steps it differs from 8000 steps by at most 1e-10 (VP, sub-VP) and 6e-8 (VE), below
/// the solvers' Float32 floor of 4e-7 to 1.6e-6.
func referenceSolution(
    _ sde: some ForwardSDE, from start: Tensor, startTime: Double, endTime: Double, stepCount: Int = 2000
)
    -> [[Double]]
{
    let (a, b) = (Foundation.log(startTime), Foundation.log(endTime))
    let times = (0...stepCount).map { Foundation.exp(a + (b - a) * Double($0) / Double(stepCount)) }
    let flat = start.scalars.map(Double.init)
    return (0..<(flat.count / 2)).map { row in
        var x = [flat[2 * row], flat[2 * row + 1]]
        func velocity(_ y: [Double], _ t: Double) -> [Double] {
            ringMixture.probabilityFlowVelocity(at: y, marginal: sde.marginal(at: t))
        }
        for i in 0..<stepCount {
            let (t, h) = (times[i], times[i + 1] - times[i])
            let k1 = velocity(x, t)
            let k2 = velocity(zip(x, k1).map { $0 + 0.5 * h * $1 }, t + 0.5 * h)
            let k3 = velocity(zip(x, k2).map { $0 + 0.5 * h * $1 }, t + 0.5 * h)
            let k4 = velocity(zip(x, k3).map { $0 + h * $1 }, t + h)
            x = (0..<2).map { x[$0] + h / 6 * (k1[$0] + 2 * k2[$0] + 2 * k3[$0] + k4[$0]) }
        }
        return x
    }
}

/// The root mean square over all coordinates of `x` − `reference`.
func rootMeanSquareError(_ x: Tensor, _ reference: [[Double]]) -> Double {
    let values = x.scalars.map(Double.init)
    let flat = reference.flatMap { $0 }
    let sum = zip(values, flat).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    return (sum / Double(flat.count)).squareRoot()
}

/// The least-squares slope of log(error) against log(1/N): the empirical order.
func fittedOrder(stepCounts: [Int], errors: [Double]) -> Double {
    let xs = stepCounts.map { Foundation.log(Double($0)) }
    let ys = errors.map { -Foundation.log($0) }
    let (mx, my) = (xs.reduce(0, +) / Double(xs.count), ys.reduce(0, +) / Double(ys.count))
    let covariance = zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
    let variance = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
    return covariance / variance
}
