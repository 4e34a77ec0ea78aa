import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import Testing

@testable import ScoreKitSamplers

typealias RingLikelihood = ProbabilityFlowLikelihood<DormandPrinceSampler>

/// The ring's exact x̂₀ in tape operations, under `sde`: differentiable in x.
func differentiableProcess<SDE: ForwardSDE>(
    _ sde: SDE
)
    -> ModelReverseProcess<SDE, DenoisedPrediction, DifferentiableRingModel>
{
    ModelReverseProcess(sde: sde, parameterization: DenoisedPrediction(), model: DifferentiableRingModel())
}

/// 64 held-out points of the ring, and their exact log-density at t = `time` under VP.
let heldOut: (data: Tensor, logDensities: [Double]) = {
    var noise = PerSampleNoise(seed: 99)
    let data = GaussianMixture.ring().sample(count: 64, noise: &noise)
    let values = data.scalars.map(Double.init)
    let marginal = VariancePreservingSDE().marginal(at: 1e-5)
    let logDensities = (0..<64).map {
        GaussianMixture.ring().evaluation(at: [values[2 * $0], values[2 * $0 + 1]], marginal: marginal).logDensity
    }
    return (data, logDensities)
}()

/// The exact-divergence estimate of the held-out points, computed once.
let exactEstimate: Result<LikelihoodEstimate, SamplingError> = {
    var noise = PerSampleNoise(seed: 1)
    return Result { () throws(SamplingError) in
        try RingLikelihood().estimate(
            heldOut.data, process: differentiableProcess(VariancePreservingSDE()), noise: &noise)
    }
}()

@Suite("ProbabilityFlowLikelihood")
struct ProbabilityFlowLikelihoodTests {
    /// The check (measured: mean |error| 5e-4 nats, largest 4e-3, 104 evaluations).
    @Test func exactDivergenceMatchesTheAnalyticLogDensity() throws {
        let estimate = try exactEstimate.get()
        let errors = zip(estimate.logLikelihoods, heldOut.logDensities).map { Swift.abs($0 - $1) }
        #expect(errors.reduce(0, +) / Double(errors.count) <= 0.01, "errors \(errors)")
        #expect(estimate.standardErrors.allSatisfy { $0 == 0 } && estimate.backwardPassesPerEvaluation == 2)
        #expect(estimate.sampleEvaluationCounts.max() == estimate.evaluationCount)
    }

    /// The same check with RK45 stepping in λ = log(α²/σ²) (measured: mean |error| 5.3e-4 nats,
    /// largest 4.1e-3, 164 evaluations; in t 5.0e-4, 3.9e-3, 116).
    @Test func exactDivergenceInLogSignalToNoiseRatio() throws {
        var solver = DormandPrinceSampler.Configuration()
        solver.timeVariable = .logSignalToNoiseRatio
        let likelihood = try RingLikelihood(
            configuration: RingLikelihood.Configuration(), solver: DormandPrinceSampler(configuration: solver))
        var noise = PerSampleNoise(seed: 1)
        let estimate = try likelihood.estimate(
            heldOut.data, process: differentiableProcess(VariancePreservingSDE()), noise: &noise)
        let errors = zip(estimate.logLikelihoods, heldOut.logDensities).map { Swift.abs($0 - $1) }
        #expect(errors.reduce(0, +) / Double(errors.count) <= 0.01, "errors \(errors)")
    }

    /// Hutchinson's estimate with K = 8 probes: unbiased within two reported standard errors
    /// (measured: Rademacher bias 0.019 against SE 0.038; Gaussian 0.087 against 0.068).
    @Test(arguments: RingLikelihood.Probe.allCases)
    func hutchinsonIsUnbiasedWithinTwoStandardErrors(probe: RingLikelihood.Probe) throws {
        var c = RingLikelihood.Configuration()
        c.divergence = .hutchinson
        c.probe = probe
        c.probeCount = 8
        var noise = PerSampleNoise(seed: 7)
        let estimate = try RingLikelihood(configuration: c).estimate(
            heldOut.data, process: differentiableProcess(VariancePreservingSDE()), noise: &noise)
        let exact = try exactEstimate.get()
        let bias = zip(estimate.logLikelihoods, exact.logLikelihoods).reduce(0) { $0 + $1.0 - $1.1 } / 64
        let standardError = estimate.estimatorStandardError
        #expect(standardError > 0 && estimate.standardErrors.allSatisfy { $0 > 0 })
        #expect(Swift.abs(bias) <= 2 * standardError, "bias \(bias), standard error \(standardError)")
        #expect(estimate.backwardPassesPerEvaluation == 8)
    }

    /// Probes given as a recording `[K, N, d]` give the estimate of the source that drew them.
    @Test func recordedProbesGiveTheEstimateOfTheirSource() throws {
        var c = RingLikelihood.Configuration()
        (c.divergence, c.probeCount) = (.hutchinson, 3)
        let data = heldOut.data.slice(alongAxis: 0, 0..<16)
        var seeded = PerSampleNoise(seed: 11)
        var copy = seeded
        let recording = stacked((0..<3).map { _ in copy.rademacher(data.shape) })
        var recorded = try RecordedNoise(recording: recording)
        let likelihood = try RingLikelihood(configuration: c)
        let process = differentiableProcess(VariancePreservingSDE())
        let reference = try likelihood.estimate(data, process: process, noise: &seeded)
        let replayed = try likelihood.estimate(data, process: process, noise: &recorded)
        #expect(replayed.logLikelihoods == reference.logLikelihoods)
        #expect(recorded.problem == nil && recorded.callCount == 3)
    }

    /// ∇·F from d backward passes equals the mixture's closed-form divergence.
    @Test(arguments: ProcessCase.allCases)
    func exactDivergenceOfTheFieldIsTheClosedForm(process: ProcessCase) throws {
        let sde = process.sde
        try checkDivergence(sde)
    }

    private func checkDivergence(_ sde: some ForwardSDE) throws {
        let points = Tensor([4.2, 1.1, -0.5, 3.0, 0.1, -0.2], shape: [3, 2])
        let field = DivergenceField(
            process: differentiableProcess(sde), sampleShape: [3, 2], dimension: 2, probes: [], estimator: "test")
        let times = [0.05, 0.3, 0.8]
        let state = Tensor.concatenate([points, Tensor.zeros([3, 1])], alongAxis: 1)
        let result = try field.velocity(state, at: times).scalars
        for row in 0..<3 {
            let x = [Double(points.scalars[2 * row]), Double(points.scalars[2 * row + 1])]
            let marginal = sde.marginal(at: times[row])
            let expected = GaussianMixture.ring().probabilityFlowDivergence(at: x, marginal: marginal)
            let velocity = GaussianMixture.ring().probabilityFlowVelocity(at: x, marginal: marginal)
            let scale = Swift.max(Swift.abs(expected), 1)
            #expect(Swift.abs(Double(result[3 * row + 2]) - expected) <= 1e-4 * scale, "row \(row)")
            #expect(Swift.abs(Double(result[3 * row]) - velocity[0]) <= 1e-4 * Swift.max(Swift.abs(velocity[0]), 1))
        }
    }

    @Test func bitsPerDimensionCountTheBinWidth() throws {
        var estimate = try exactEstimate.get()
        let continuous = estimate.bitsPerDimension
        #expect(Swift.abs(continuous + estimate.meanLogLikelihood / (2 * Foundation.log(2.0))) < 1e-12)
        estimate.quantizationBinWidth = 2.0 / 256
        #expect(Swift.abs(estimate.bitsPerDimension - (continuous + 7)) < 1e-12)
        #expect(estimate.standardErrorOfMean > 0 && estimate.estimatorStandardError == 0)
    }

    @Test func aPointsEstimateDoesNotDependOnItsBatch() throws {
        let exact = try exactEstimate.get()
        for row in [0, 17, 63] {
            var noise = PerSampleNoise(seed: 1, firstSample: row)
            let one = try RingLikelihood().estimate(
                heldOut.data.gathering(rows: [row]), process: differentiableProcess(VariancePreservingSDE()),
                noise: &noise)
            #expect(one.logLikelihoods[0] == exact.logLikelihoods[row], "point \(row)")
        }
    }

    @Test func needsADifferentiableModel() {
        var noise = PerSampleNoise(seed: 1)
        #expect(throws: SamplingError.notDifferentiable(estimator: "ProbabilityFlowLikelihood")) {
            try RingLikelihood().estimate(heldOut.data, process: exactProcess(VariancePreservingSDE()), noise: &noise)
        }
        #expect(
            SamplingError.notDifferentiable(estimator: "ProbabilityFlowLikelihood").description.hasPrefix(
                "error: 'ProbabilityFlowLikelihood' needs the gradient of the model's output with respect to its input")
        )
    }

    @Test func rejectsInvalidSettings() {
        var c = RingLikelihood.Configuration()
        c.probeCount = 0
        let expected = "an integer from 1 to 100,000 (the ceiling for probe counts)"
        #expect(throws: ConfigurationError.outOfRange(key: "probeCount", value: "0", expected: expected)) {
            try RingLikelihood(configuration: c)
        }
        c = RingLikelihood.Configuration()
        c.quantizationBinWidth = -1
        #expect(throws: ConfigurationError.self) { try RingLikelihood(configuration: c) }
    }
}

@Suite("ProbabilityFlowEncoder")
struct ProbabilityFlowEncoderTests {
    /// The check: encode → decode at RK45 1e-5 returns x₀ with RMS ≤ 1e-3 (measured:
    /// 7e-5 VP, 1.1e-4 sub-VP, 5.6e-5 VE; 104 + 122, 110 + 122, 140 + 140 evaluations).
    @Test(arguments: ProcessCase.allCases)
    func roundTripReturnsTheData(process: ProcessCase) throws {
        let trip = try roundTrip(process.sde)
        #expect(trip.rootMeanSquareError <= 1e-3, "RMS \(trip.rootMeanSquareError)")
        #expect(trip.sampleErrors.count == 64 && trip.evaluationCounts.encode > 0 && trip.evaluationCounts.decode > 0)
    }

    private func roundTrip(_ sde: some ForwardSDE) throws -> ProbabilityFlowEncoder<DormandPrinceSampler>.RoundTrip {
        try ProbabilityFlowEncoder().roundTrip(heldOut.data, process: exactProcess(sde))
    }

    @Test func encodingIsTheForwardFlow() throws {
        let sde = VarianceExplodingSDE()
        let encoded = try ProbabilityFlowEncoder().encode(heldOut.data, process: exactProcess(sde))
        let reference = referenceSolution(sde, from: heldOut.data, startTime: 1e-5, endTime: 1)
        // Latents have scale σ_max = 50: 1e-3 of it.
        #expect(rootMeanSquareError(encoded.solution, reference) <= 5e-2)
        #expect(encoded.evaluationCount == encoded.sampleEvaluationCounts.max())
    }
}
