import Foundation
import ScoreKitCore
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

/// A deterministic or churned sampler of this half of the module, for the invariance laws.
struct InvarianceCase: Sendable, CustomTestStringConvertible {
    let name: String
    let sampler: any Sampler
    var testDescription: String { name }

    static let all: [InvarianceCase] = {
        var ddim = DDIMSampler.Configuration()
        ddim.eta = 0.5
        var churn = EDMHeunSampler.Configuration()
        churn.churn = 10
        return [
            InvarianceCase(name: "euler", sampler: EulerSampler()),
            InvarianceCase(name: "heun", sampler: HeunSampler()),
            InvarianceCase(name: "rk4", sampler: RungeKutta4Sampler()),
            InvarianceCase(name: "dpm-solver-3", sampler: SolverCase.dpmSolver(order: 3)),
            InvarianceCase(name: "dpm-solver++3m", sampler: SolverCase.dpmSolverPlusPlus(order: 3)),
            InvarianceCase(name: "ddim eta 0.5", sampler: (try? DDIMSampler(configuration: ddim)) ?? DDIMSampler()),
            InvarianceCase(
                name: "edm-heun churn 10", sampler: (try? EDMHeunSampler(configuration: churn)) ?? EDMHeunSampler()),
        ]
    }()
}

/// Runs `body` with `count` threads for BLAS and for the engine's kernels (`withThreadCount`).
func withThreads<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
    try withThreadCount(count, body)
}

/// Samples `count` from index `first` in chunks of `chunk`, each chunk's noise starting at its
/// first sample's index (the prior draw and every step's noise come from per-sample streams).
func chunkedSamples(
    _ sampler: some Sampler, _ sde: some ForwardSDE, times: [Double], count: Int, chunk: Int, first: Int = 0
)
    throws -> [Float]
{
    var values: [Float] = []
    for start in stride(from: first, to: first + count, by: chunk) {
        var noise = PerSampleNoise(seed: 2024, firstSample: start)
        let initial = sde.samplePrior([Swift.min(chunk, first + count - start), 2], noise: &noise)
        let outcome = try runSampler(sampler, process: exactProcess(sde), times: times, initial: initial, noise: &noise)
        values += outcome.samples.scalars
    }
    return values
}

/// The same for the adaptive solver, whose every sample has its own steps.
func chunkedAdaptiveSamples(_ sde: some ForwardSDE, count: Int, chunk: Int, first: Int = 0) throws -> [Float] {
    var values: [Float] = []
    for start in stride(from: first, to: first + count, by: chunk) {
        var noise = PerSampleNoise(seed: 2024, firstSample: start)
        let initial = sde.samplePrior([Swift.min(chunk, first + count - start), 2], noise: &noise)
        values += try adaptiveRun(rk45(), sde, times: [1, 1e-3], initial: initial).solution.scalars
    }
    return values
}

/// A sample depends on its seed and index only: drawn 1, 7 or 10,000 at a time, on 1 or 2
/// threads, its values are bit-identical.
@Suite("Deterministic samplers: batch-size and thread-count invariance")
struct ProbabilityFlowInvarianceTests {
    static let sde = VariancePreservingSDE()
    static let times = uniformTimes(steps: 20, to: 1e-3)

    @Test(.tags(.slow), arguments: InvarianceCase.all)
    func fixedStepSamplers(_ c: InvarianceCase) throws {
        let all = try withThreads(1) {
            try chunkedSamples(c.sampler, Self.sde, times: Self.times, count: 10_000, chunk: 10_000)
        }
        let twoThreads = try withThreads(2) {
            try chunkedSamples(c.sampler, Self.sde, times: Self.times, count: 10_000, chunk: 10_000)
        }
        #expect(all == twoThreads, "1 vs 2 threads")
        let sevens = try chunkedSamples(c.sampler, Self.sde, times: Self.times, count: 70, chunk: 7, first: 9_900)
        #expect(sevens == Array(all[(2 * 9_900)..<(2 * 9_970)]), "7 at a time")
        let ones = try chunkedSamples(c.sampler, Self.sde, times: Self.times, count: 10, chunk: 1, first: 4_321)
        #expect(ones == Array(all[(2 * 4_321)..<(2 * 4_331)]), "1 at a time")
    }

    @Test(.tags(.slow))
    func adaptiveSolver() throws {
        let all = try withThreads(1) { try chunkedAdaptiveSamples(Self.sde, count: 10_000, chunk: 10_000) }
        let twoThreads = try withThreads(2) { try chunkedAdaptiveSamples(Self.sde, count: 10_000, chunk: 10_000) }
        #expect(all == twoThreads, "1 vs 2 threads")
        let sevens = try chunkedAdaptiveSamples(Self.sde, count: 70, chunk: 7, first: 9_900)
        #expect(sevens == Array(all[(2 * 9_900)..<(2 * 9_970)]), "7 at a time")
        let ones = try chunkedAdaptiveSamples(Self.sde, count: 10, chunk: 1, first: 4_321)
        #expect(ones == Array(all[(2 * 4_321)..<(2 * 4_331)]), "1 at a time")
    }

    /// 20,000 samples make 40,000 values, above the 32,768 where the engine splits elementwise
    /// kernels across threads, so 2 threads take the parallel path here.
    @Test(.tags(.slow))
    func parallelKernelsGiveTheSameValues() throws {
        let sampler = SolverCase.dpmSolverPlusPlus(order: 3)
        let one = try withThreads(1) {
            try chunkedSamples(sampler, Self.sde, times: Self.times, count: 20_000, chunk: 20_000)
        }
        let two = try withThreads(2) {
            try chunkedSamples(sampler, Self.sde, times: Self.times, count: 20_000, chunk: 20_000)
        }
        #expect(one == two)
        let adaptiveOne = try withThreads(1) { try chunkedAdaptiveSamples(Self.sde, count: 20_000, chunk: 20_000) }
        let adaptiveTwo = try withThreads(2) { try chunkedAdaptiveSamples(Self.sde, count: 20_000, chunk: 20_000) }
        #expect(adaptiveOne == adaptiveTwo)
    }
}
