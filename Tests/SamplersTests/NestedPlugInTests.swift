import ScoreKitCore
import ScoreKitRunner
import ScoreKitSDEs
import ScoreKitSamplers
import Testing

/// A corrector from outside the Samplers module: x ← factor·x (the point is that it nests).
private struct HalvingCorrector: Corrector, RegisteredComponent {
    struct Configuration: ComponentConfiguration, Equatable {
        var factor = 0.5
        init() {}
        func validate() throws(ConfigurationError) {
            guard factor > 0, factor <= 1 else {
                throw .outOfRange(key: "factor", value: "\(factor)", expected: "a number in (0, 1]")
            }
        }
    }
    static let id: ComponentID = "test-halving"
    static let summary = "A corrector defined by a test"
    let configuration: Configuration
    init(configuration: Configuration) { self.configuration = configuration }
    var evaluationsPerCorrection: Int { 0 }
    func correct(
        _ sample: Tensor, over step: TimeStep, process: some ReverseProcess, noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        sample * Float(configuration.factor)
    }
}

/// A predictor from outside the Samplers module: stays where it is.
private struct StandingSampler: Sampler, RegisteredComponent {
    struct Configuration: ComponentConfiguration, Equatable { init() {} }
    static let id: ComponentID = "test-standing"
    static let summary = "A sampler defined by a test"
    init(configuration: Configuration) {}
    var order: Int? { nil }
    func initialState(for problem: SamplingProblem) {}
    func step(
        _ sample: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor { sample }
}

/// Nested sections resolve through the registry that makes their owner, plug-ins included.
@Suite("Nested plug-in components")
struct NestedPlugInTests {
    let registry = ComponentRegistry.standard().adding {
        $0.register(corrector: HalvingCorrector.self)
        $0.register(sampler: StandingSampler.self)
    }

    @Test("A plug-in predictor and corrector nest in predictor-corrector; defaults of the old kind do not leak")
    func plugInsNest() throws {
        let resolved = try registry.resolve(
            .sampler,
            from: [
                "kind": "predictor-corrector", "predictor": ["kind": "test-standing"],
                "corrector": ["kind": "test-halving", "factor": 0.25],
            ])
        let sampler = try #require(resolved.product as? PredictorCorrectorSampler)
        #expect(sampler.predictor is StandingSampler)
        #expect((sampler.corrector as? HalvingCorrector)?.configuration.factor == 0.25)
        #expect(resolved.configuration["corrector"] == ["kind": "test-halving", "factor": 0.25])
        // One step: the corrector scales by a quarter, the predictor stands.
        var state = sampler.initialState(for: SamplingProblem(shape: [1, 2], times: [1, 0.5]))
        var noise = PerSampleNoise(seed: 1)
        let x = try sampler.step(
            Tensor([4, -8], shape: [1, 2]), over: TimeStep(start: 1, end: 0.5, index: 0, count: 1), state: &state,
            process: ModelReverseProcess(
                sde: VarianceExplodingSDE(), parameterization: ScorePrediction(), model: ZeroScoreModel()),
            noise: &noise)
        #expect(x.scalars == [1, -2])
    }

    @Test("The standard registry alone refuses the plug-in, located in the recipe file")
    func refusedWhereUnknown() throws {
        let yaml = """
            sde: { kind: variance-exploding }
            sampler:
              kind: predictor-corrector
              corrector: { kind: test-halving }
            """
        let recipe = try Recipe(yaml: yaml, source: "pc.yaml")
        #expect(throws: RecipeError.self) { try recipe.resolve(with: .standard()) }
        do {
            _ = try recipe.resolve(with: .standard())
        } catch {
            #expect("\(error)".contains("pc.yaml:4:"), "\(error)")
            #expect("\(error)".contains("unknown corrector 'test-halving'"), "\(error)")
            #expect("\(error)".contains("known correctors: langevin"), "\(error)")
        }
        #expect(throws: Never.self) { try recipe.resolve(with: registry) }
    }

    @Test("An out-of-range value inside a plug-in's nested section names its full path and line")
    func nestedRangeErrors() throws {
        let yaml = """
            sampler:
              kind: predictor-corrector
              corrector: { kind: test-halving, factor: 2 }
            """
        do {
            _ = try Recipe(yaml: yaml, source: "pc.yaml").resolve(with: registry)
            Issue.record("factor 2 was accepted")
        } catch {
            #expect("\(error)".contains("pc.yaml:3:"), "\(error)")
            #expect("\(error)".contains("sampler.corrector.factor"), "\(error)")
        }
    }

    @Test("Without a registry, a nested section is not made, and its owner says how to make it")
    func unresolvedWithoutRegistry() throws {
        let configuration = try ConfigurationDecoder().decode(
            PredictorCorrectorSampler.Configuration.self,
            from: ["predictor": ["kind": "ancestral"], "corrector": ["kind": "langevin"]], path: "sampler")
        #expect(configuration.predictor.product == nil)
        #expect(throws: ConfigurationError.self) { try PredictorCorrectorSampler(configuration: configuration) }
        // Code-made defaults carry their components.
        #expect(throws: Never.self) { try PredictorCorrectorSampler(configuration: .init()) }
    }
}

/// A model whose output is zero everywhere.
private struct ZeroScoreModel: ScoreModel {
    var parameters = ParameterSet([])
    func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor { Tensor.zeros(x.shape) }
}
