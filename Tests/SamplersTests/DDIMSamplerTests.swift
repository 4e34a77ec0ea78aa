import Foundation
import ScoreKitCore
import ScoreKitSDEs
import ScoreKitSamplers
import Testing

@Suite("DDIMSampler")
struct DDIMSamplerTests {
    /// η = 1 is the DDPM posterior: x_s = α_s·x̂₀ + √(σ_s² − c²)·ε̂ + c·z has the posterior's mean
    /// and variance, so with the same noise it matches the ancestral sampler step for step.
    @Test(arguments: [ProcessCase.variancePreserving, .varianceExploding])
    func etaOneIsTheAncestralSampler(process: ProcessCase) throws {
        var c = DDIMSampler.Configuration()
        c.eta = 1
        let sde = process.sde
        let times = uniformTimes(steps: 15, to: process.endTime)
        let ddim = try chunkedSamples(DDIMSampler(configuration: c), sde, times: times, count: 32, chunk: 32)
        let ancestral = try chunkedSamples(AncestralSampler(), sde, times: times, count: 32, chunk: 32)
        let scale = ancestral.map { Swift.abs($0) }.max() ?? 1
        #expect(zip(ddim, ancestral).allSatisfy { Swift.abs($0 - $1) <= 1e-4 * scale })
    }

    @Test func etaZeroIsDeterministicAndEtaPositiveDrawsNoise() throws {
        let sde = VariancePreservingSDE()
        let times = uniformTimes(steps: 10, to: 1e-3)
        let initial = priorSamples(sde, count: 4)
        var a = PerSampleNoise(seed: 1)
        var b = PerSampleNoise(seed: 2)
        let first = try runSampler(DDIMSampler(), process: exactProcess(sde), times: times, initial: initial, noise: &a)
        let second = try runSampler(
            DDIMSampler(), process: exactProcess(sde), times: times, initial: initial, noise: &b)
        #expect(first.samples.scalars == second.samples.scalars && a.drawCounter == 0)
        var c = DDIMSampler.Configuration()
        c.eta = 0.3
        #expect(try DDIMSampler(configuration: c).order == nil)
    }

    @Test func rejectsEtaOutsideZeroToOne() {
        var c = DDIMSampler.Configuration()
        c.eta = 1.5
        #expect(throws: ConfigurationError.outOfRange(key: "eta", value: "1.5", expected: "a number in [0, 1]")) {
            try DDIMSampler(configuration: c)
        }
    }
}

@Suite("EDMHeunSampler")
struct EDMHeunSamplerTests {
    /// EDM's sampler: 18 steps on the `karras` grid ending at σ = 0 cost 35 evaluations.
    @Test func costsTwoPerStepLessOneOnEDMsGrid() throws {
        let sde = EDMSDE()
        let times = grid(["kind": "karras", "steps": 18], for: sde)
        #expect(times.count == 19 && times.last == 0)
        let outcome = try solve(EDMHeunSampler(), sde, times: times, initial: priorSamples(sde, count: 3))
        #expect(outcome.evaluationCount == 35 && EDMHeunSampler().evaluationCount(forTimes: times) == 35)
        #expect(EDMHeunSampler().stepCount(forEvaluationBudget: 35, endingAtZero: true) == 18)
    }

    /// With α = 1 and σ = t, Heun in σ/α is Heun in t.
    @Test func isHeunInTOnEDMsProcess() throws {
        let sde = EDMSDE()
        let times = grid(["kind": "karras", "steps": 12, "finalStep": "none"], for: sde)
        let initial = priorSamples(sde, count: 8)
        let edm = try solve(EDMHeunSampler(), sde, times: times, initial: initial).samples.scalars
        let heun = try solve(HeunSampler(), sde, times: times, initial: initial).samples.scalars
        #expect(zip(edm, heun).allSatisfy { Swift.abs($0 - $1) <= 1e-4 })
    }

    @Test func churnIsStochasticAndBounded() throws {
        var c = EDMHeunSampler.Configuration()
        c.churn = 1_000  // γ is capped at √2 − 1
        let sampler = try EDMHeunSampler(configuration: c)
        #expect(sampler.order == nil)
        let sde = VariancePreservingSDE()
        let outcome = try solve(
            sampler, sde, times: uniformTimes(steps: 10, to: 1e-3), initial: priorSamples(sde, count: 64))
        #expect(outcome.samples.isFinite && outcome.evaluationCount == 20)
        c.sMax = -1
        #expect(throws: ConfigurationError.self) { try EDMHeunSampler(configuration: c) }
    }
}

@Suite("Evaluation budgets")
struct EvaluationBudgetTests {
    @Test func mapAnNFEBudgetToStepsPerMethod() throws {
        #expect(EulerSampler().stepCount(forEvaluationBudget: 10) == 10)
        #expect(HeunSampler().stepCount(forEvaluationBudget: 10) == 5)
        #expect(HeunSampler().stepCount(forEvaluationBudget: 35, endingAtZero: true) == 18)
        #expect(MidpointSampler().stepCount(forEvaluationBudget: 9) == 4)
        #expect(RungeKutta4Sampler().stepCount(forEvaluationBudget: 37, endingAtZero: true) == 10)
        #expect(RungeKutta4Sampler().stepCount(forEvaluationBudget: 3) == nil)
        #expect(SolverCase.dpmSolver(order: 3).stepCount(forEvaluationBudget: 30) == 10)
        #expect(SolverCase.dpmSolverPlusPlus(order: 3).stepCount(forEvaluationBudget: 20) == 19)
        #expect(SolverCase.dpmSolverPlusPlus(order: 3, start: .lowerOrder).stepCount(forEvaluationBudget: 20) == 20)
        #expect(try rk45().stepCount(forEvaluationBudget: 60) == 10)
    }

    /// The runs make exactly the evaluations the budget allowed for.
    @Test(arguments: SolverCase.allCases)
    func runsSpendTheirBudgetExactly(solver: SolverCase) throws {
        let sde = VariancePreservingSDE()
        for (budget, zero) in [(20, false), (21, true)] {
            let sampler = solver.sampler
            let steps = try #require(sampler.stepCount(forEvaluationBudget: budget, endingAtZero: zero))
            let times = zero ? uniformTimes(steps: steps - 1, to: 1e-3) + [0] : uniformTimes(steps: steps, to: 1e-3)
            let outcome = try solve(sampler, sde, times: times, initial: priorSamples(sde, count: 2))
            #expect(
                outcome.evaluationCount <= budget && outcome.evaluationCount == sampler.evaluationCount(forTimes: times)
            )
        }
    }
}
