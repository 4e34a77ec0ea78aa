import Foundation
import ScoreKitCore
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

/// A forward process for the conformance checks, named for test output.
struct ConformanceProcess: Sendable, CustomTestStringConvertible {
    let name: String
    let sde: any ForwardSDE
    var testDescription: String { name }

    static let all = [
        ConformanceProcess(name: "variance-preserving", sde: VariancePreservingSDE()),
        ConformanceProcess(name: "sub-variance-preserving", sde: SubVariancePreservingSDE()),
        ConformanceProcess(name: "variance-exploding", sde: VarianceExplodingSDE()),
        ConformanceProcess(name: "ddpm", sde: DiscreteDDPMSDE()),
    ]
}

@Suite("Stochastic samplers: checkSampler")
struct StochasticSamplerConformanceTests {
    /// Every stochastic sampler but MALA, which needs a log-density the stand-in model lacks
    /// (its laws are checked in StochasticSamplerInvarianceTests on the exact mixture). Annealed
    /// Langevin is stable only for ε < 2σ_L²; sub-VP's σ at t = 1e-3 is 1.1e-4, so ε = 1e-9 here.
    static let cases: [StochasticCase] = StochasticCase.all.filter { !$0.needsLogDensity }.map { c in
        guard c.name == "annealed-langevin" else { return c }
        var configuration = AnnealedLangevinSampler.Configuration()
        configuration.steps = 2
        configuration.stepSize = 1e-9
        configuration.initialization = .uniform
        do {
            return StochasticCase(
                name: c.name, sampler: try AnnealedLangevinSampler(configuration: configuration), needsLogDensity: false
            )
        } catch {
            preconditionFailure("\(error)")
        }
    }

    @Test(
        "Shape, determinism, batch invariance and exact counts, on both stand-in mixtures",
        arguments: cases, ConformanceProcess.all)
    func conformance(_ c: StochasticCase, _ process: ConformanceProcess) {
        for mixture in CheckMixture.allCases {
            let report = check(c.sampler, process.sde, mixture)
            #expect(report.passed, "\(mixture) mixture: \(report)")
        }
    }

    private func check(_ sampler: some Sampler, _ sde: some ForwardSDE, _ mixture: CheckMixture) -> ConformanceReport {
        var options = SamplerCheckOptions()
        options.mixture = mixture
        return checkSampler(sampler, sde: sde, options: options)
    }
}
