import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers
import Testing

/// A process whose x̂₀ is NaN below `threshold`: drives an adaptive solver into rejections.
struct BrokenBelowProcess<Base: ReverseProcess>: ReverseProcess {
    let base: Base
    let threshold: Double

    var sde: Base.SDE { base.sde }

    func denoised(_ x: Tensor, at time: Double) -> Tensor {
        time < threshold ? Tensor.full(x.shape, .nan) : base.denoised(x, at: time)
    }
}

/// RK45 with rtol = atol = `tolerance` and `edit` applied.
func rk45(
    tolerance: Double = 1e-5, _ edit: (inout DormandPrinceSampler.Configuration) -> Void = { _ in }
)
    throws -> DormandPrinceSampler
{
    var c = DormandPrinceSampler.Configuration()
    c.rtol = tolerance
    c.atol = tolerance
    edit(&c)
    return try DormandPrinceSampler(configuration: c)
}

/// An adaptive run of the ring's exact process over `times`.
func adaptiveRun(
    _ solver: DormandPrinceSampler, _ sde: some ForwardSDE, times: [Double], initial: Tensor
) throws
    -> AdaptiveOutcome
{
    try runAdaptive(solver, process: exactProcess(sde), times: times, initial: initial)
}

@Suite("DormandPrinceSampler (rk45)")
struct DormandPrinceSamplerTests {
    /// The check: rtol = atol = 1e-5 reaches RMS ≤ 1e-3 with 80–150 model evaluations.
    /// Measured: RMS 2.6e-4, 1.2e-4, 1.5e-5; evaluations 98, 92, 122 (VP, sub-VP, VE).
    @Test(arguments: ProcessCase.allCases)
    func reachesTheReferenceWithin80To150Evaluations(process: ProcessCase) throws {
        let problem = try #require(orderProblems[process])
        let outcome = try adaptiveRun(rk45(), process.sde, times: [1, process.endTime], initial: problem.initial)
        let error = rootMeanSquareError(outcome.solution, problem.reference)
        #expect(error <= 1e-3, "RMS error \(error)")
        #expect((80...150).contains(outcome.evaluationCount), "\(outcome.evaluationCount) evaluations")
        #expect(outcome.sampleEvaluationCounts.max() == outcome.evaluationCount)
    }

    /// Steps in λ = log(α²/σ²) (`timeVariable: logSignalToNoiseRatio`) meet the same tolerance,
    /// and on the ring more tightly than it asks. Measured: RMS 2.4e-5, 2.7e-5, 2.0e-5 with 116,
    /// 128, 116 evaluations (in t: 2.6e-4, 1.2e-4, 1.5e-5 with 98, 92, 122).
    @Test(arguments: ProcessCase.allCases)
    func stepsInLogSignalToNoiseRatio(process: ProcessCase) throws {
        let problem = try #require(orderProblems[process])
        let outcome = try adaptiveRun(
            rk45 { $0.timeVariable = .logSignalToNoiseRatio }, process.sde, times: [1, process.endTime],
            initial: problem.initial)
        let error = rootMeanSquareError(outcome.solution, problem.reference)
        #expect(error <= 1e-4, "RMS error \(error)")
        #expect((80...150).contains(outcome.evaluationCount), "\(outcome.evaluationCount) evaluations")
    }

    /// In λ the field is F(y, t(λ))·dt/dλ: against dt/dλ from central differences of t(λ).
    @Test(arguments: ProcessCase.allCases)
    func theLogSignalToNoiseRatioFieldScalesByDtDLambda(process: ProcessCase) throws {
        try checkLogSignalToNoiseRatioField(process.sde)
    }

    private func checkLogSignalToNoiseRatioField(_ sde: some ForwardSDE) throws {
        let field = ProbabilityFlowField(process: exactProcess(sde))
        let inRatio = LogSignalToNoiseRatioField(base: field, sde: sde)
        let y = Tensor([4.2, 1.1, -0.5, 3.0, 0.1, -0.2], shape: [3, 2])
        let times = [0.8, 0.3, 0.01]
        let ratios = times.map { sde.marginal(at: $0).logSignalToNoiseRatio }
        let scaled = try inRatio.velocity(y, at: ratios).scalars
        let plain = field.velocity(y, at: times).scalars
        for (i, ratio) in ratios.enumerated() {
            let h = 1e-4
            let derivative =
                (sde.time(forLogSignalToNoiseRatio: ratio + h) - sde.time(forLogSignalToNoiseRatio: ratio - h))
                / (2 * h)
            for k in 0..<2 {
                let expected = Double(plain[2 * i + k]) * derivative
                #expect(
                    Swift.abs(Double(scaled[2 * i + k]) - expected) <= 1e-4 * (1 + Swift.abs(expected)),
                    "row \(i) at t = \(times[i])")
            }
        }
        let shared = try inRatio.velocity(y, atSharedTime: ratios[1]).scalars
        let perRow = try inRatio.velocity(y, at: Array(repeating: ratios[1], count: 3)).scalars
        #expect(zip(shared, perRow).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * (1 + Swift.abs($1)) })
    }

    @Test func countsEveryEvaluationOfEverySample() throws {
        let sde = VariancePreservingSDE()
        let initial = priorSamples(sde, count: 9)
        let outcome = try adaptiveRun(rk45(), sde, times: [1, 1e-3, 0], initial: initial)
        let attempts = zip(outcome.acceptedStepCounts, outcome.rejectedStepCounts).map { $0 + $1 }
        // f(y₀) + Hairer's initial step + 6 per attempt (first same as last) + the denoising step.
        #expect(outcome.sampleEvaluationCounts == attempts.map { 2 + 6 * $0 + 1 })
        #expect(outcome.evaluationCount == 2 + 6 * (attempts.max() ?? 0) + 1)
    }

    @Test func aFixedFirstStepSkipsTheSelectionEvaluation() throws {
        let sde = VarianceExplodingSDE()
        let solver = try rk45 { $0.initialStepSize = 0.01 }
        let outcome = try adaptiveRun(solver, sde, times: [1, 1e-5], initial: priorSamples(sde, count: 3))
        let attempts = zip(outcome.acceptedStepCounts, outcome.rejectedStepCounts).map { $0 + $1 }
        #expect(outcome.sampleEvaluationCounts == attempts.map { 1 + 6 * $0 })
    }

    @Test func tighterTolerancesCostMoreAndErrLess() throws {
        let process = ProcessCase.variancePreserving
        let problem = try #require(orderProblems[process])
        var previous = (error: Double.infinity, evaluations: 0)
        for tolerance in [1e-3, 1e-4, 1e-5, 1e-6] {
            let outcome = try adaptiveRun(
                rk45(tolerance: tolerance), process.sde, times: [1, 1e-3], initial: problem.initial)
            let error = rootMeanSquareError(outcome.solution, problem.reference)
            #expect(error < previous.error && outcome.evaluationCount > previous.evaluations, "tolerance \(tolerance)")
            previous = (error, outcome.evaluationCount)
        }
    }

    /// scipy's and diffrax's controller (no prediction) meets the tolerance too.
    @Test(arguments: ProcessCase.allCases)
    func theUnpredictedControllerMeetsTheTolerance(process: ProcessCase) throws {
        let problem = try #require(orderProblems[process])
        let outcome = try adaptiveRun(
            rk45 { $0.predictive = false }, process.sde, times: [1, process.endTime], initial: problem.initial)
        #expect(rootMeanSquareError(outcome.solution, problem.reference) <= 1e-3)
        #expect((80...150).contains(outcome.evaluationCount), "\(outcome.evaluationCount) evaluations")
    }

    @Test func thePIControllerAlsoMeetsTheTolerance() throws {
        let problem = try #require(orderProblems[.varianceExploding])
        let solver = try rk45 {
            $0.proportionalCoefficient = 0.4
            $0.integralCoefficient = 0.3
        }
        let outcome = try adaptiveRun(solver, VarianceExplodingSDE(), times: [1, 1e-5], initial: problem.initial)
        #expect(rootMeanSquareError(outcome.solution, problem.reference) <= 1e-3)
    }

    @Test func givesUpWhenTheBudgetIsSpent() throws {
        let sde = VariancePreservingSDE()
        let solver = try rk45 { $0.maximumEvaluationCount = 20 }
        #expect {
            try adaptiveRun(solver, sde, times: [1, 1e-3], initial: priorSamples(sde, count: 4))
        } throws: { error in
            guard case .evaluationBudgetExceeded(let name, let limit, let time, let end) = error as? SamplingError
            else {
                return false
            }
            return name == "DormandPrinceSampler" && limit == 20 && time < 1 && time > 1e-3 && end == 1e-3
        }
    }

    @Test func givesUpWhenTheStepShrinksBelowItsMinimum() throws {
        let sde = VariancePreservingSDE()
        let solver = try rk45 { $0.minimumStepSize = 1e-4 }
        let broken = BrokenBelowProcess(base: exactProcess(sde), threshold: 0.5)
        #expect {
            try runAdaptive(solver, process: broken, times: [1, 1e-3], initial: priorSamples(sde, count: 2))
        } throws: { error in
            guard case .stepSizeTooSmall(_, let size, let minimum, let time) = error as? SamplingError else {
                return false
            }
            return size < minimum && minimum == 1e-4 && time >= 0.5 && time < 0.6
        }
    }

    @Test func explainsWhyItGaveUp() {
        let budget = SamplingError.evaluationBudgetExceeded(
            solver: "DormandPrinceSampler", limit: 20, time: 0.5, end: 0.001)
        #expect(
            budget.description == """
                error: 'DormandPrinceSampler' used its 20 model evaluations at t = 0.5, before reaching t = 0.001
                  hint: raise the evaluation limit or loosen rtol/atol
                """)
        let small = SamplingError.stepSizeTooSmall(
            solver: "DormandPrinceSampler", stepSize: 1e-5, minimum: 1e-4, time: 0.5)
        #expect(
            small.description.hasPrefix("error: 'DormandPrinceSampler' step size 1e-05 fell below its minimum 0.0001"))
    }

    @Test func runsForwardInTimeToo() throws {
        let sde = VariancePreservingSDE()
        var noise = PerSampleNoise(seed: 5)
        let data = ringMixture.sample(count: 16, noise: &noise)
        let forward = try runAdaptive(
            rk45(), field: ProbabilityFlowField(process: exactProcess(sde)), from: 1e-5, to: 1, initial: data)
        let reference = referenceSolution(sde, from: data, startTime: 1e-5, endTime: 1)
        #expect(rootMeanSquareError(forward.solution, reference) <= 1e-3)
    }

    /// On a grid it takes one 5th-order step per interval (errors 1.2e-4 and 3.5e-6 at 8 and 16).
    @Test func asAFixedStepSamplerItIsFifthOrderAndCountsSixPerStep() throws {
        let sde = VariancePreservingSDE()
        let problem = try #require(orderProblems[.variancePreserving])
        let coarse = try solve(rk45(), sde, times: uniformTimes(steps: 8, to: 1e-3), initial: problem.initial)
        let fine = try solve(rk45(), sde, times: uniformTimes(steps: 16, to: 1e-3), initial: problem.initial)
        #expect(coarse.evaluationCount == 48 && fine.evaluationCount == 96)
        let order = fittedOrder(
            stepCounts: [8, 16],
            errors: [
                rootMeanSquareError(coarse.samples, problem.reference),
                rootMeanSquareError(fine.samples, problem.reference),
            ])
        #expect(Swift.abs(order - 5) <= 0.5, "order \(order)")
    }

    @Test func rejectsInvalidSettings() {
        #expect(throws: ConfigurationError.outOfRange(key: "rtol", value: "-1.0", expected: "a finite number ≥ 0")) {
            try rk45 { $0.rtol = -1 }
        }
        #expect(
            throws: ConfigurationError.outOfRange(key: "atol", value: "0.0", expected: "a number > 0 when rtol is 0")
        ) {
            try rk45(tolerance: 0)
        }
        #expect(throws: ConfigurationError.outOfRange(key: "safety", value: "1.5", expected: "a number in (0, 1]")) {
            try rk45 { $0.safety = 1.5 }
        }
        #expect(throws: ConfigurationError.self) { try rk45 { $0.maximumEvaluationCount = 7 } }
        #expect(throws: ConfigurationError.self) { try rk45 { $0.maximumStepSize = 0 } }
    }
}

@Suite("DormandPrinceSampler with one step size for the batch (stepControl: batch)")
struct SharedStepControlTests {
    /// The same RMS bound as per-sample control on the ring's order problems, every sample
    /// counted alike. (On these small batches the shared run costs slightly more in all than
    /// the per-sample one, e.g. VP 1,280 against 1,226 sample evaluations: its step follows the
    /// batch's error, not each sample's.)
    @Test(arguments: ProcessCase.allCases)
    func reachesTheReferenceWithOneStepSequence(process: ProcessCase) throws {
        let problem = try #require(orderProblems[process])
        let times = [1, process.endTime]
        let shared = try adaptiveRun(
            rk45 { $0.stepControl = .batch }, process.sde, times: times, initial: problem.initial)
        let error = rootMeanSquareError(shared.solution, problem.reference)
        #expect(error <= 1e-3, "RMS error \(error)")
        #expect((40...150).contains(shared.evaluationCount), "\(shared.evaluationCount) evaluations")
        #expect(Set(shared.sampleEvaluationCounts) == [shared.evaluationCount])
        let attempts = shared.acceptedStepCounts[0] + shared.rejectedStepCounts[0]
        // f(y₀) + Hairer's initial step + 6 per attempt (first same as last).
        #expect(shared.evaluationCount == 2 + 6 * attempts)
    }

    @Test("one sample: the shared and the per-sample controller take the same steps, bit for bit")
    func oneSampleIsTheSameEitherWay() throws {
        let sde = VariancePreservingSDE()
        let initial = priorSamples(sde, count: 1)
        let shared = try adaptiveRun(rk45 { $0.stepControl = .batch }, sde, times: [1, 1e-3], initial: initial)
        let perSample = try adaptiveRun(rk45(), sde, times: [1, 1e-3], initial: initial)
        #expect(shared.solution.scalars == perSample.solution.scalars)
        #expect(shared.evaluationCount == perSample.evaluationCount)
        #expect(shared.acceptedStepCounts == perSample.acceptedStepCounts)
    }

    @Test func theBudgetStopsASharedRunToo() throws {
        let sde = VariancePreservingSDE()
        let solver = try rk45(tolerance: 1e-9) {
            $0.stepControl = .batch
            $0.maximumEvaluationCount = 20
        }
        #expect(throws: SamplingError.self) {
            try adaptiveRun(solver, sde, times: [1, 1e-3], initial: priorSamples(sde, count: 4))
        }
    }
}
