import RalstonSamplers
import ScoreKitCore
import ScoreKitRunner
import ScoreKitSamplers
import ScoreKitTesting
import Testing

/// The conformance checks every ScoreKit sampler passes, run on the plug-ins: shapes, seeded
/// determinism, batch-size invariance, exact evaluation counts, and the order of convergence
/// against a Double RK4 reference of the probability-flow ODE (ScoreKitTesting's `checkSampler`).
@Suite("Ralston samplers")
struct RalstonSamplersTests {
    @Test(
        "Ralston's method passes the sampler conformance checks and converges at order 2",
        arguments: ["variance-preserving", "variance-exploding"])
    func ralstonConforms(sde: String) throws {
        let report = checkSampler(RalstonSampler(), sde: try process(sde))
        #expect(report.passed, "\(report)")
    }

    @Test("The corrector, behind Ralston's predictor, passes the stochastic sampler checks")
    func correctorConforms() throws {
        let sampler = PredictorCorrectorSampler(predictor: RalstonSampler(), corrector: NoiseLevelLangevinCorrector())
        let report = checkSampler(sampler, sde: try process("variance-preserving"))
        #expect(report.passed, "\(report)")
    }

    @Test("Both register, resolve from recipe sections and refuse bad settings")
    func registration() throws {
        let registry = ComponentRegistry.standard().adding { $0.registerRalstonSamplers() }
        #expect(try registry.make(.sampler, from: ["kind": "ralston"]) is RalstonSampler)
        let pc = try registry.make(
            .sampler,
            from: [
                "kind": "predictor-corrector", "predictor": ["kind": "ralston"],
                "corrector": ["kind": "noise-level-langevin", "stepScale": 0.1],
            ])
        #expect(pc.evaluationCount(forStepCount: 10) == 30)
        #expect(throws: ConfigurationError.self) {
            try registry.make(.corrector, from: ["kind": "noise-level-langevin", "stepScale": 2])
        }
    }

    private func process(_ id: String) throws -> any ForwardSDE {
        try ComponentRegistry.standard().make(.sde, from: ["kind": .string(id)])
    }
}
