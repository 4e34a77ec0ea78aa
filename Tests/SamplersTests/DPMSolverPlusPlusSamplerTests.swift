import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

@testable import ScoreKitSamplers

/// A process whose x̂₀ is the same polynomial in λ = log(α/σ) for every x: the probability-flow
/// ODE then has the closed-form solution x_t = (σ_t/σ_s)·x_s + α_t·∫₀ʰ e^(u−h)·p(λ_s + u) du.
struct PolynomialDenoiser<SDE: ForwardSDE>: ReverseProcess {
    let sde: SDE
    let coefficients: [Double]

    func value(at time: Double) -> Double {
        let lambda = sde.marginal(at: time).halfLogSignalToNoiseRatio
        return coefficients.enumerated().reduce(0) { $0 + $1.element * Foundation.pow(lambda, Double($1.offset)) }
    }

    func denoised(_ x: Tensor, at time: Double) -> Tensor { Tensor.full(x.shape, Float(value(at: time))) }

    /// The exact step from `start` to `end` of x (Simpson's rule on 2000 intervals, in Double).
    func exactStep(_ x: Double, from start: Double, to end: Double) -> Double {
        let (ms, mt) = (sde.marginal(at: start), sde.marginal(at: end))
        let (lambda, h) = (ms.halfLogSignalToNoiseRatio, mt.halfLogSignalToNoiseRatio - ms.halfLogSignalToNoiseRatio)
        let n = 2000
        let integral =
            (0...n).reduce(0.0) { sum, i in
                let u = h * Double(i) / Double(n)
                let p = coefficients.enumerated().reduce(0) {
                    $0 + $1.element * Foundation.pow(lambda + u, Double($1.offset))
                }
                return sum + (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * Foundation.exp(u - h) * p
            } * h / Double(3 * n)
        return mt.noiseScale / ms.noiseScale * x + mt.signalScale * integral
    }
}

@Suite("DPMSolverPlusPlusSampler")
struct DPMSolverPlusPlusSamplerTests {
    /// With exact history, one 3M step integrates a denoiser quadratic in λ exactly: D₂ must be
    /// h²·D″ (the reference code's (D₁₀ − D₁₁)/(r₀ + r₁) is half of it and misses by h³·D″/12).
    @Test(arguments: [1.0, 0.6, 2.5])
    func thirdOrderStepIsExactForQuadratics(ratio: Double) throws {
        let sde = VarianceExplodingSDE()
        let process = PolynomialDenoiser(sde: sde, coefficients: [0.3, -0.2, 0.05])
        let sampler = SolverCase.dpmSolverPlusPlus(order: 3)
        // Three times with λ-steps h₋₂ = ratio·h, h₋₁ = h (λ = −log σ on VE, t ∝ log σ).
        let (start, end) = (0.5, 0.45)
        let h = sde.marginal(at: end).halfLogSignalToNoiseRatio - sde.marginal(at: start).halfLogSignalToNoiseRatio
        let previous = sde.time(forHalfLogSignalToNoiseRatio: sde.marginal(at: start).halfLogSignalToNoiseRatio - h)
        let older = sde.time(
            forHalfLogSignalToNoiseRatio: sde.marginal(at: previous).halfLogSignalToNoiseRatio - ratio * h)
        var state = DPMSolverPlusPlusSampler.State()
        state.denoised = [older, previous].map { Tensor.full([1, 1], Float(process.value(at: $0))) }
        state.lambdas = [older, previous].map { sde.marginal(at: $0).halfLogSignalToNoiseRatio }
        var noise = PerSampleNoise(seed: 0)
        let x = 3.0
        let stepped = try sampler.step(
            Tensor.full([1, 1], Float(x)), over: TimeStep(start: start, end: end, index: 2, count: 3), state: &state,
            process: process, noise: &noise)
        let exact = process.exactStep(x, from: start, to: end)
        #expect(Swift.abs(Double(stepped.scalar) - exact) <= 2e-6 * Swift.abs(exact), "\(stepped.scalar) vs \(exact)")
    }

    @Test func orderOneIsDDIM() throws {
        let sde = SubVariancePreservingSDE()
        let initial = priorSamples(sde, count: 8)
        let times = uniformTimes(steps: 12, to: 1e-3)
        let first = try solve(SolverCase.dpmSolverPlusPlus(order: 1), sde, times: times, initial: initial).samples
            .scalars
        let ddim = try solve(DDIMSampler(), sde, times: times, initial: initial).samples.scalars
        #expect(zip(first, ddim).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * Swift.max(1, Swift.abs($1)) })
    }

    @Test func theStartDecidesTheCount() {
        let single = SolverCase.dpmSolverPlusPlus(order: 2)
        let lower = SolverCase.dpmSolverPlusPlus(order: 2, start: .lowerOrder)
        #expect(single.evaluationCount(forStepCount: 10) == 11 && lower.evaluationCount(forStepCount: 10) == 10)
        #expect(single.evaluationCount(forTimes: uniformTimes(steps: 9, to: 1e-3) + [0]) == 11)
        #expect(DPMSolverPlusPlusSampler().evaluationCount(forStepCount: 0) == 0)
    }

    @Test func rejectsOrdersOutsideOneToThree() {
        var c = DPMSolverPlusPlusSampler.Configuration()
        c.order = 4
        #expect(throws: ConfigurationError.outOfRange(key: "order", value: "4", expected: "1, 2 or 3")) {
            try DPMSolverPlusPlusSampler(configuration: c)
        }
        var d = DPMSolverSampler.Configuration()
        d.order = 0
        #expect(throws: ConfigurationError.outOfRange(key: "order", value: "0", expected: "1, 2 or 3")) {
            try DPMSolverSampler(configuration: d)
        }
    }
}

@Suite("DPMSolverSampler")
struct DPMSolverSamplerTests {
    @Test func orderOneIsDDIM() throws {
        let sde = VariancePreservingSDE()
        let initial = priorSamples(sde, count: 8)
        let times = uniformTimes(steps: 12, to: 1e-3)
        let first = try solve(SolverCase.dpmSolver(order: 1), sde, times: times, initial: initial).samples.scalars
        let ddim = try solve(DDIMSampler(), sde, times: times, initial: initial).samples.scalars
        #expect(zip(first, ddim).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * Swift.max(1, Swift.abs($1)) })
    }

    @Test func countsOrderEvaluationsPerStep() throws {
        let sde = VarianceExplodingSDE()
        for order in 1...3 {
            let outcome = try solve(
                SolverCase.dpmSolver(order: order), sde, times: uniformTimes(steps: 7, to: 1e-5) + [0],
                initial: priorSamples(sde, count: 2))
            #expect(outcome.evaluationCount == order * 7 + 1)
        }
    }
}
