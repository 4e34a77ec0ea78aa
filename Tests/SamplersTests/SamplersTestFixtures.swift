import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitRunner
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

/// Every component, as the composition root builds it.
let testRegistry = ComponentRegistry.standard()

/// The seed's ring: 8 equal components of standard deviation 0.4 on a circle of radius 5.
let ring = GaussianMixture.ring()

/// The exact mixture as a reverse process, with its log-density (for MALA).
struct ExactMixtureProcess<SDE: ForwardSDE>: LogDensityProcess {
    let mixture: GaussianMixture
    let sde: SDE

    init(_ mixture: GaussianMixture = ring, sde: SDE) {
        self.mixture = mixture
        self.sde = sde
    }

    func denoised(_ x: Tensor, at time: Double) -> Tensor {
        mixture.denoised(x, marginal: sde.marginal(at: time))
    }

    func logDensityAndDenoised(_ x: Tensor, at time: Double) -> (logDensity: Tensor, denoised: Tensor) {
        let m = sde.marginal(at: time)
        return (mixture.logDensity(x, marginal: m), mixture.denoised(x, marginal: m))
    }
}

/// The exact mixture as a network predicting x₀, behind `ModelReverseProcess`: the path a
/// trained model takes.
func modelProcess<SDE: ForwardSDE>(
    _ sde: SDE, mixture: GaussianMixture = ring, labels: [Int]? = nil
)
    -> ModelReverseProcess<SDE, DenoisedPrediction, GaussianMixture>
{
    var model = mixture
    model.prediction = .denoised
    return ModelReverseProcess(sde: sde, parameterization: DenoisedPrediction(), model: model, labels: labels)
}

/// The mixture restricted to component k: the exact conditional p(x | k).
func component(_ k: Int, of mixture: GaussianMixture = ring) -> GaussianMixture {
    do {
        return try GaussianMixture(weights: [1], means: [mixture.means[k]], covariances: [mixture.covariances[k]])
    } catch {
        preconditionFailure("component \(k): \(error)")
    }
}

/// A class-conditional model made exact: label k gives component k's x̂₀, `nullLabel` the whole
/// mixture's, as a perfectly trained classifier-free-guidance network would.
struct LabelledMixtureModel: ScoreModel {
    let mixture: GaussianMixture
    let components: [GaussianMixture]

    init(_ mixture: GaussianMixture = ring) {
        self.mixture = mixture
        components = (0..<mixture.componentCount).map { component($0, of: mixture) }
    }

    func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        let labels = condition.labels ?? Array(repeating: NoiseCondition.nullLabel, count: x.shape[0])
        let sigmas = condition.noiseScale.scalars
        let alphas = condition.signalScale.scalars
        var output = Tensor.zeros(x.shape)
        for label in Set(labels) {
            let rows = labels.indices.filter { labels[$0] == label }
            let m = Marginal(
                signalScale: Double(alphas[rows[0]]), noiseScale: Double(sigmas[rows[0]]), signalScaleDerivative: 0,
                noiseScaleDerivative: 0)
            let model = label == NoiseCondition.nullLabel ? mixture : components[label]
            let values = model.denoised(x.gathering(rows: rows), marginal: m)
            output = output + values.scatteringAdd(rows: rows, into: x.shape)
        }
        return output
    }
}

/// The mixture's exact posterior p(k | x_t) as the classifier of classifier guidance.
struct ExactMixtureClassifier: NoiseConditionalClassifier {
    let mixture: GaussianMixture

    func logProbabilityGradient(_ x: Tensor, classes: [Int], at time: Double, marginal: Marginal) -> Tensor {
        mixture.logPosteriorGradient(x, classes: classes, marginal: marginal)
    }
}

/// `count` samples drawn `chunk` at a time from sample index `first`: sample i always uses
/// noise stream (seed, i), so the result must not depend on `chunk`.
func drawSamples<S: Sampler, P: ReverseProcess>(
    _ sampler: S, process: P, times: [Double], count: Int, chunk: Int? = nil, first: Int = 0, seed: UInt64
) throws -> (samples: Tensor, evaluationCount: Int) {
    let size = chunk ?? count
    var parts: [Tensor] = []
    var evaluations = 0
    for start in stride(from: first, to: first + count, by: size) {
        let n = Swift.min(size, first + count - start)
        var noise = PerSampleNoise(seed: seed, firstSample: start)
        let initial = process.sde.samplePrior([n, 2], noise: &noise)
        let outcome = try runSampler(sampler, process: process, times: times, initial: initial, noise: &noise)
        parts.append(outcome.samples)
        evaluations = outcome.evaluationCount
    }
    return (Tensor.concatenate(parts, alongAxis: 0), evaluations)
}

/// The time grid a registered grid gives for `sde`.
func grid(_ section: ConfigurationValue, for sde: some ForwardSDE) -> [Double] {
    do {
        return try testRegistry.make(.timeGrid, from: section).times(for: sde)
    } catch {
        preconditionFailure("\(error)")
    }
}
