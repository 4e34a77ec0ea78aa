import Foundation
import ScoreKitCore
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

/// This half's samplers as a recipe names them, built through the registry.
struct RecipeSampler: Sendable, CustomTestStringConvertible {
    let section: ConfigurationValue
    let testDescription: String
    /// Step counts for the order law when the defaults are pre-asymptotic for this sampler.
    var orderStepCounts: [Int]? = nil

    var sampler: any Sampler {
        get throws { try testRegistry.make(.sampler, from: section) }
    }

    static let all: [RecipeSampler] = [
        RecipeSampler(section: ["kind": "euler"], testDescription: "euler"),
        RecipeSampler(section: ["kind": "heun"], testDescription: "heun"),
        RecipeSampler(section: ["kind": "midpoint"], testDescription: "midpoint"),
        RecipeSampler(section: ["kind": "rk4"], testDescription: "rk4"),
        RecipeSampler(section: ["kind": "rk45"], testDescription: "rk45"),
        // Explicit multistep in t: on VP its error near t = 0 stays pre-asymptotic to 64 steps
        // (order 4: 2.0, 3.0, 3.6 between 8, 16, 32, 64); measured from 32 to 256 steps.
        RecipeSampler(
            section: ["kind": "adams-bashforth", "order": 2], testDescription: "adams-bashforth 2",
            orderStepCounts: [32, 64, 128, 256]),
        RecipeSampler(
            section: ["kind": "adams-bashforth"], testDescription: "adams-bashforth 3",
            orderStepCounts: [32, 64, 128, 256]),
        RecipeSampler(
            section: ["kind": "adams-bashforth", "order": 4], testDescription: "adams-bashforth 4",
            orderStepCounts: [32, 64, 128, 256]),
        RecipeSampler(section: ["kind": "ddim"], testDescription: "ddim"),
        RecipeSampler(section: ["kind": "ddim", "eta": 1], testDescription: "ddim eta 1"),
        RecipeSampler(section: ["kind": "dpm-solver", "order": 1], testDescription: "dpm-solver order 1"),
        RecipeSampler(section: ["kind": "dpm-solver"], testDescription: "dpm-solver order 2"),
        RecipeSampler(section: ["kind": "dpm-solver", "order": 3], testDescription: "dpm-solver order 3"),
        RecipeSampler(section: ["kind": "dpm-solver-plus-plus"], testDescription: "dpm-solver++ 2m"),
        RecipeSampler(section: ["kind": "dpm-solver-plus-plus", "order": 3], testDescription: "dpm-solver++ 3m"),
        RecipeSampler(
            section: ["kind": "dpm-solver-plus-plus", "order": 3, "start": "lowerOrder"],
            testDescription: "dpm-solver++ 3m, lower-order start"),
        RecipeSampler(section: ["kind": "edm-heun"], testDescription: "edm-heun"),
        RecipeSampler(
            section: ["kind": "edm-heun", "churn": 40, "sMin": 0.05, "sMax": 50], testDescription: "edm-heun churn"),
    ]
}

@Suite("Deterministic samplers: checkSampler")
struct ProbabilityFlowSamplerConformanceTests {
    /// Shapes, seeded determinism, batch invariance, exact counts and budgets, and (for ODE
    /// solvers) the empirical order on the checks' stand-in mixtures (isotropic, and correlated
    /// with unequal weights), on grids even in log-SNR.
    @Test(
        arguments: RecipeSampler.all,
        [ProcessCase.variancePreserving, .varianceExploding].flatMap { p in
            CheckMixture.allCases.map { (p, $0) }
        })
    func conformance(_ recipe: RecipeSampler, _ setting: (process: ProcessCase, mixture: CheckMixture)) throws {
        let report = try check(recipe.sampler, setting.process.sde, setting.mixture, recipe.orderStepCounts)
        #expect(report.passed, "\(setting.mixture) mixture: \(report)")
    }

    private func check(
        _ sampler: some Sampler, _ sde: some ForwardSDE, _ mixture: CheckMixture, _ orderStepCounts: [Int]? = nil
    ) -> ConformanceReport {
        var options = SamplerCheckOptions()
        if let orderStepCounts { options.orderStepCounts = orderStepCounts }
        options.endTime = sde is VarianceExplodingSDE ? 1e-5 : 1e-3
        options.mixture = mixture
        // Float rounding stays near 2e-7 RMS on this mixture; RK4 reaches order 4 only below
        // 2e-6 (3.6 between 16 and 32 steps, 4.0 between 32 and 64).
        if mixture == .correlated { options.orderErrorFloor = 5e-7 }
        return checkSampler(sampler, sde: sde, options: options)
    }

    @Test func everyIdIsRegisteredWithItsDefaults() throws {
        for id in [
            "euler", "heun", "midpoint", "rk4", "rk45", "ddim", "dpm-solver", "dpm-solver-plus-plus", "edm-heun",
            "unipc", "adams-bashforth",
        ] {
            let sampler = try testRegistry.make(.sampler, from: ["kind": .init(stringLiteral: id)])
            #expect(sampler.order != nil, "\(id) is deterministic by default")
        }
    }

    @Test func unknownKeysAreRejectedWithASuggestion() {
        #expect {
            try testRegistry.make(.sampler, from: ["kind": "rk45", "rtoll": 1e-4])
        } throws: { error in
            "\(error)".contains("unknown key 'rtoll'") && "\(error)".contains("did you mean 'rtol'?")
        }
    }
}
