import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

/// A stochastic sampler with a process and grid it suits, for the invariance and counting laws.
struct StochasticCase: Sendable, CustomTestStringConvertible {
    let name: String
    let sampler: any Sampler
    let needsLogDensity: Bool

    var testDescription: String { name }

    static let all: [StochasticCase] = {
        func make(_ section: ConfigurationValue) -> any Sampler {
            do { return try testRegistry.make(.sampler, from: section) } catch { preconditionFailure("\(error)") }
        }
        return [
            StochasticCase(name: "euler-maruyama", sampler: EulerMaruyamaSampler(), needsLogDensity: false),
            StochasticCase(name: "reverse-diffusion", sampler: ReverseDiffusionSampler(), needsLogDensity: false),
            StochasticCase(name: "ancestral", sampler: AncestralSampler(), needsLogDensity: false),
            StochasticCase(name: "euler-ancestral", sampler: EulerAncestralSampler(), needsLogDensity: false),
            StochasticCase(name: "dpmpp-2m-sde", sampler: DPMSolverSDESampler(), needsLogDensity: false),
            StochasticCase(
                name: "predictor-corrector",
                sampler: make(["kind": "predictor-corrector", "corrector": ["kind": "langevin", "steps": 2]]),
                needsLogDensity: false),
            StochasticCase(name: "langevin", sampler: make(["kind": "langevin", "steps": 2]), needsLogDensity: false),
            StochasticCase(
                name: "annealed-langevin",
                sampler: make(["kind": "annealed-langevin", "steps": 2, "initialization": "uniform"]),
                needsLogDensity: false),
            StochasticCase(name: "mala", sampler: make(["kind": "mala", "steps": 2]), needsLogDensity: true),
        ]
    }()
}

@Suite("Stochastic samplers: batch-size and thread invariance, exact evaluation counts")
struct StochasticSamplerInvarianceTests {
    static let sde = VariancePreservingSDE()
    static let times = grid(["kind": "uniform", "steps": 8, "finalStep": "toZero"], for: sde)

    func draw(
        _ c: StochasticCase, count: Int, chunk: Int?, first: Int = 0
    ) throws -> (samples: Tensor, evaluationCount: Int) {
        c.needsLogDensity
            ? try drawSamples(
                c.sampler, process: ExactMixtureProcess(sde: Self.sde), times: Self.times, count: count, chunk: chunk,
                first: first, seed: 77)
            : try drawSamples(
                c.sampler, process: modelProcess(Self.sde), times: Self.times, count: count, chunk: chunk, first: first,
                seed: 77)
    }

    @Test(
        "The same seed gives bit-identical samples 1, 7 or 10,000 at a time, on 1 or 2 threads",
        arguments: StochasticCase.all)
    func batchAndThreadInvariance(_ c: StochasticCase) throws {
        let whole = try withThreadCount(1) { try draw(c, count: 10_000, chunk: nil) }
        #expect(whole.evaluationCount == c.sampler.evaluationCount(forTimes: Self.times))
        #expect(whole.samples.isFinite)
        let sevens = try withThreadCount(1) { try draw(c, count: 10_000, chunk: 7) }
        #expect(sevens.samples == whole.samples, "7 at a time")
        let rows = whole.samples.scalars
        for first in [0, 1, 4321, 9999] {
            let single = try withThreadCount(1) { try draw(c, count: 1, chunk: 1, first: first) }
            #expect(single.samples.scalars == Array(rows[(2 * first)..<(2 * first + 2)]), "sample \(first) alone")
        }
        let twoThreads = try withThreadCount(2) { try draw(c, count: 10_000, chunk: nil) }
        #expect(twoThreads.samples == whole.samples, "2 threads")
    }
}
