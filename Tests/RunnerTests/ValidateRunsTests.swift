import Foundation
import ScoreKitCore
import ScoreKitLosses
import ScoreKitMetrics
import ScoreKitNetworks
import ScoreKitRunner
import ScoreKitSDEs
import ScoreKitSamplers
import Testing

/// "What validates, runs": each combination that used to validate and then fail either runs
/// now (checked against an exact answer) or is refused at `validate` with its location.
@Suite("What validates, runs")
struct ValidateRunsTests {
    static let ring = GaussianMixture.ring()

    /// A recipe on the ring with the exact model, `sde`, `parameterization` and extra sections.
    static func exactRecipe(
        sde: String = "variance-preserving", parameterization: String = "epsilon", extra: String = ""
    ) -> String {
        """
        sde: { kind: \(sde) }
        parameterization: { kind: \(parameterization) }
        network: { kind: exact-mixture }
        data: { kind: ring, count: 2000 }
        \(extra)
        seed: 3

        """
    }

    static func resolveStandard(
        _ yaml: String, compatibility: RecipeCompatibility = .standard
    ) throws
        -> ResolvedRecipe
    {
        try Recipe(yaml: yaml, source: recipeFile).resolve(with: standardRegistry, compatibility: compatibility)
    }

    static func standardError(_ yaml: String) -> RecipeError? {
        do {
            _ = try resolveStandard(yaml)
            return nil
        } catch {
            return error as? RecipeError
        }
    }

    /// The exact model of `recipe`'s data under its process and parameterization.
    static func exactModel(_ recipe: ResolvedRecipe) throws -> any ScoreModel {
        let exact = try #require(recipe.network as? any ExactModelArchitecture)
        return try exact.makeExactModel(
            data: try #require(recipe.dataSpecification), sde: recipe.sde,
            parameterization: try #require(recipe.parameterization))
    }

    static func ringSamples(_ count: Int, seed: UInt64) -> Tensor {
        var noise = PerSampleNoise(seed: seed)
        return ring.sample(count: count, noise: &noise)
    }

    // MARK: - explicit-score-matching

    @Test(
        "explicit score matching at the exact score is 0, on every process",
        arguments: [
            "variance-preserving", "variance-exploding", "sub-variance-preserving", "edm", "linear-interpolant",
        ])
    func explicitScoreMatchingAtTheExactScore(sde: String) throws {
        let recipe = try Self.resolveStandard(Self.exactRecipe(sde: sde, parameterization: "score"))
        let model = try Self.exactModel(recipe)
        let parameterization = try #require(recipe.parameterization)
        let loss = ExplicitScoreMatching(configuration: .init())
            .withTarget(ExactMixtureTargetScore(mixture: Self.ring))
        let batch = TrainingBatch(data: Self.ringSamples(256, seed: 1))
        var noise = PerSampleNoise(seed: 2)
        let exact = loss.evaluate(
            batch, model: model, sde: recipe.sde, parameterization: parameterization, noise: &noise)
        var sameNoise = PerSampleNoise(seed: 2)
        let zero = loss.evaluate(
            batch, model: ZeroModel(), sde: recipe.sde, parameterization: parameterization, noise: &sameNoise)
        // The exact model runs in Float32: its score differs from the Double target by rounding only.
        #expect(abs(Double(exact.value.scalar)) <= 1e-5 * Double(zero.value.scalar), "\(exact.value.scalar)")
        #expect(zero.value.scalar > 0.1)
    }

    @Test("training attaches the exact score of the mixture, in standardised coordinates, and learns")
    func trainingAttachesTheTarget() throws {
        let yaml = tinyRecipe(steps: 60, data: "{ kind: ring, count: 2000, standardization: perDimension }")
            .replacingOccurrences(of: "kind: denoising-score-matching", with: "kind: explicit-score-matching")
        let plan = try TrainingPlan(recipe: try resolveTraining(yaml))
        let loss = try #require(plan.loss as? ExplicitScoreMatching)
        let target = try #require(loss.target as? ExactMixtureTargetScore)
        let standardization = try #require(plan.data.standardization)
        // At σ = 0 the score of the standardised data is D·∇log p(x) at x = m + D·z.
        let z = Tensor([0.3, -0.2, 1.1, 0.4], shape: [2, 2])
        let clean = Marginal(signalScale: 1, noiseScale: 0, signalScaleDerivative: 0, noiseScaleDerivative: 0)
        let scoreZ = target.score(z, times: [0, 0], marginals: [clean, clean], labels: nil).scalars
        let scoreX = Self.ring.score(standardization.invert(z), marginal: clean).scalars
        for i in 0..<4 {
            let expected = scoreX[i] * standardization.standardDeviation[i % 2]
            #expect(abs(scoreZ[i] - expected) <= 1e-4 * max(1, abs(expected)), "\(i): \(scoreZ[i]) vs \(expected)")
        }
        let trainer = Trainer(plan: plan)
        var state = trainer.initialState()
        var diagnostics = trainer.makeDiagnostics()
        let before = Self.meanLoss(plan, model: state.model)
        try trainer.train(&state, until: 60, diagnostics: &diagnostics)
        let after = Self.meanLoss(plan, model: state.model)
        #expect(after.isFinite && after < before, "loss \(before) → \(after)")
    }

    static func meanLoss(_ plan: TrainingPlan, model: any ScoreModel) -> Double {
        var noise = PerSampleNoise(seed: 9)
        let batch = TrainingBatch(data: plan.data.training.samples.slice(alongAxis: 0, 0..<512))
        return Autodiff.withoutRecording {
            Double(
                plan.loss.evaluate(
                    batch, model: model, sde: plan.sde, parameterization: plan.parameterization, noise: &noise
                ).value.scalar)
        }
    }

    @Test("a class's target is the score of its component alone")
    func labelledTarget() throws {
        let x = Tensor([1.0, 0.5, -3, 2], shape: [2, 2])
        let m = VariancePreservingSDE().marginal(at: 0.2)
        let target = ExactMixtureTargetScore(mixture: Self.ring)
        let labelled = target.score(x, times: [0.2, 0.2], marginals: [m, m], labels: [3, NoiseCondition.nullLabel])
            .scalars
        let component = try GaussianMixture(
            weights: [1], means: [Self.ring.means[3]], covariances: [Self.ring.covariances[3]])
        let expected = component.score(x, marginal: m).scalars
        let whole = Self.ring.score(x, marginal: m).scalars
        #expect(abs(labelled[0] - expected[0]) < 1e-5 && abs(labelled[1] - expected[1]) < 1e-5)
        #expect(abs(labelled[2] - whole[2]) < 1e-5 && abs(labelled[3] - whole[3]) < 1e-5)
    }

    @Test("explicit score matching on data without an exact score is refused at the loss's kind")
    func explicitScoreMatchingWithoutTarget() throws {
        let yaml = """
            sde: { kind: variance-preserving }
            loss: { kind: explicit-score-matching }
            data: { kind: two-moons }

            """
        let error = try #require(Self.standardError(yaml))
        #expect(error.location == at(2, 15))
        #expect(
            error.description == """
                recipes/test.yaml:2:15: error: loss 'explicit-score-matching' needs a known target score, and data set 'two-moons' has none
                  it regresses on the exact score ∇log p_t, which ScoreKit knows only for Gaussian-mixture data
                  data with an exact score: gaussian-mixture, grid, ring
                  losses that need only samples: denoising-score-matching, edm, flow-matching, implicit-score-matching, sliced-score-matching
                """)
    }

    // MARK: - mala

    @Test("the exact model's log-density is the mixture's")
    func exactLogDensity() throws {
        let recipe = try Self.resolveStandard(Self.exactRecipe(sde: "sub-variance-preserving", parameterization: "edm"))
        let model = try #require(try Self.exactModel(recipe) as? any LogDensityModel)
        let x = Self.ringSamples(64, seed: 4) * 0.8
        let m = recipe.sde.marginal(at: 0.3)
        let parameterization = try #require(recipe.parameterization)
        let values = model.logDensityAndOutput(
            x, NoiseCondition(count: 64, time: 0.3, marginal: m), marginal: m,
            preconditioning: parameterization.preconditioning(for: m)
        ).logDensity.scalars
        let expected = Self.ring.logDensity(x, marginal: m).scalars
        for (value, truth) in zip(values, expected) {
            #expect(abs(value - truth) <= 1e-4 * max(1, abs(truth)), "\(value) vs \(truth)")
        }
    }

    @Test("mala samples the exact ring: its modes and weights", .tags(.slow))
    func malaOnTheExactRing() throws {
        let yaml = Self.exactRecipe(
            extra: """
                timeGrid: { kind: karras, steps: 12, endTime: 1e-3, finalStep: none }
                sampler: { kind: mala, stepSize: 0.02, steps: 60 }
                """)
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try writeRecipe(yaml, named: "exact-mala.yaml", in: folder)
        let run = try RunModel.load(RunModel.Source(path: path), registry: standardRegistry)
        let method = try SamplingMethod(recipe: run.recipe)
        let count = 2000
        let (samples, evaluations) = try method.draw(
            process: run.reverseProcess(), count: count, dimension: 2, first: 0, seed: 5, initial: nil)
        #expect(evaluations == 12 * 61)
        let shares = SampleQuality.componentShares(samples, means: Self.ring.means)
        // 2,000 draws: a share's standard error is √(w(1 − w)/n) ≈ 0.0074; allow 4 of them.
        for (k, share) in shares.enumerated() {
            #expect(abs(share - 0.125) < 0.03, "component \(k): \(share)")
        }
        let off = SampleQuality.offManifoldFraction(samples, means: Self.ring.means, radius: 1.6)
        #expect(off < 0.01, "\(off)")
        // Near the data end the samples are p_t at t ≈ 1e-3: their mean log p₀ is the data's.
        let clean = Marginal(signalScale: 1, noiseScale: 0, signalScaleDerivative: 0, noiseScaleDerivative: 0)
        let sampled = SampleQuality.meanAndStandardError(Self.ring.logDensity(samples, marginal: clean))
        let data = SampleQuality.meanAndStandardError(
            Self.ring.logDensity(Self.ringSamples(count, seed: 6), marginal: clean))
        #expect(abs(sampled.mean - data.mean) < 4 * (sampled.standardError + data.standardError), "\(sampled) \(data)")
    }

    @Test("mala with a network that has no log-density is refused at the sampler's kind")
    func malaWithoutLogDensity() throws {
        let yaml = """
            sde: { kind: variance-preserving }
            network: { kind: mlp }
            sampler: { kind: mala }

            """
        let error = try #require(Self.standardError(yaml))
        #expect(error.location == at(3, 18))
        #expect(
            error.description == """
                recipes/test.yaml:3:18: error: sampler 'mala' needs the log-density log p_t, and network 'mlp' gives only a score
                  networks with a log-density: energy, exact-mixture
                  or a sampler that needs only the score, such as adams-bashforth, ancestral, annealed-langevin, ddim
                """)
    }

    @Test("mala on an energy network validates")
    func malaOnEnergy() throws {
        let yaml = """
            sde: { kind: variance-exploding }
            parameterization: { kind: score }
            network: { kind: energy, hiddenWidths: [16] }
            data: { kind: ring, count: 100 }
            sampler: { kind: mala }

            """
        #expect(Self.standardError(yaml) == nil)
    }

    @Test("mala with guidance or clipping is refused at that section: the changed x̂₀ has no log-density")
    func malaWithChangedModel() throws {
        let base = """
            sde: { kind: variance-exploding }
            parameterization: { kind: score }
            network: { kind: energy, hiddenWidths: [16] }
            data: { kind: ring, count: 100, labelled: true }
            sampler: { kind: mala }

            """
        let guided = try #require(Self.standardError(base + "guidance: { scale: 2 }\n"))
        #expect(guided.location == at(6, 11), "\(guided)")
        #expect(
            guided.description == """
                recipes/test.yaml:6:11: error: sampler 'mala' needs the model's own log-density, and the recipe's 'guidance' section changes the model: classifier-free guidance mixes two models' x̂₀, and no log-density matches it
                  remove the 'guidance' section, or use a sampler that needs only the score
                """)
        let clipped = try #require(Self.standardError(base + "clipping: { range: 6 }\n"))
        #expect(clipped.location == at(6, 11), "\(clipped)")
        #expect(clipped.description.contains("'clipping' section changes the model"), "\(clipped)")
    }

    @Test("mala as the predictor of predictor-corrector is refused the same way, at the nested kind")
    func nestedMalaWithoutLogDensity() throws {
        let yaml = """
            sde: { kind: variance-preserving }
            network: { kind: mlp }
            sampler: { kind: predictor-corrector, predictor: { kind: mala } }

            """
        let error = try #require(Self.standardError(yaml))
        #expect(error.location == at(3, 58))
        #expect(
            error.description.hasPrefix(
                "recipes/test.yaml:3:58: error: sampler.predictor (a sampler) 'mala' needs the log-density log p_t"),
            "\(error)")
    }

    @Test("annealed Langevin as a predictor keeps its step-size limit, located at the nested stepSize")
    func nestedAnnealedLangevinLimit() throws {
        let yaml = """
            sde: { kind: sub-variance-preserving }
            network: { kind: mlp }
            timeGrid: { kind: uniform, steps: 20 }
            sampler: { kind: predictor-corrector, predictor: { kind: annealed-langevin, stepSize: 0.5 } }

            """
        let error = try #require(Self.standardError(yaml))
        #expect(error.location == at(4, 87), "\(error)")
        #expect(error.description.contains("sampler.predictor (a sampler) 'annealed-langevin'"), "\(error)")
    }

    // MARK: - annealed-langevin

    @Test("annealed Langevin's limit 2·σ_L² is where the exact chain diverges")
    func annealedLangevinLimit() throws {
        let grid = "timeGrid: { kind: karras, steps: 10, endTime: 0.05, finalStep: none }"
        let recipe = try Self.resolveStandard(
            Self.exactRecipe(
                sde: "edm", parameterization: "edm", extra: grid + "\nsampler: { kind: annealed-langevin }"),
            compatibility: .none)
        let times = try #require(recipe.timeGrid).times(for: recipe.sde)
        let level = AnnealedLangevinSampler.smallestLevel(times: times, sde: recipe.sde)
        let limit = 2 * level.noiseScale * level.noiseScale
        let model = try Self.exactModel(recipe)
        let process = CompositionSweepTests.process(recipe.sde, try #require(recipe.parameterization), model)
        func run(_ stepSize: Double) throws -> Tensor {
            var configuration = AnnealedLangevinSampler.Configuration()
            configuration.stepSize = stepSize
            configuration.steps = 100
            let sampler = try AnnealedLangevinSampler(configuration: configuration)
            var noise = PerSampleNoise(seed: 1)
            let prior = noise.normal([200, 2]) * Float(recipe.sde.priorStandardDeviation)
            return try runSampler(sampler, process: process, times: times, initial: prior, noise: &noise).samples
        }
        #expect(try run(0.5 * limit).isFinite)
        #expect(throws: SamplingError.self) { try run(3 * limit) }
        var configuration = AnnealedLangevinSampler.Configuration()
        configuration.stepSize = 0.5 * limit
        #expect(
            try AnnealedLangevinSampler(configuration: configuration).settingProblem(times: times, sde: recipe.sde)
                == nil)
        configuration.stepSize = 3 * limit
        let problem = try AnnealedLangevinSampler(configuration: configuration).settingProblem(
            times: times, sde: recipe.sde)
        #expect(problem?.key == "stepSize")
    }

    @Test("annealed Langevin beyond its limit is refused at sampler.stepSize, with the limit")
    func annealedLangevinRefused() throws {
        let yaml = """
            sde: { kind: sub-variance-preserving }
            timeGrid: { kind: uniform, steps: 100 }
            sampler: { kind: annealed-langevin, stepSize: 2e-5 }

            """
        let error = try #require(Self.standardError(yaml))
        #expect(error.location == at(3, 47))
        #expect(
            error.description == """
                recipes/test.yaml:3:47: error: sampler 'annealed-langevin' on sde 'sub-variance-preserving' with timeGrid 'uniform': stepSize 2e-05 is not below the stability limit 2·σ_L² = 1.0562686e-05 at the grid's smallest noise level σ_L = 0.0023 (t = 0.011); the first steps would diverge
                  set sampler.stepSize below 1.0562686e-05, or end the time grid at a larger noise level (timeGrid.endTime, or fewer steps); annealed Langevin suits variance-exploding and variance-preserving processes
                """)
        _ = try Self.resolveStandard(
            "sde: { kind: variance-exploding }\ntimeGrid: { kind: uniform, steps: 100 }\nsampler: { kind: annealed-langevin }\n"
        )
    }

    // MARK: - notices

    @Test("a grid uniform in t on EDM gets a notice at the grid's kind; Karras' grid none")
    func edmUniformNotice() throws {
        let recipe = try Self.resolveStandard(
            "sde: { kind: edm }\ntimeGrid: { kind: uniform, steps: 18 }\nsampler: { kind: heun }\n")
        let notices = RecipeCompatibility.standard.notices(for: recipe, registry: standardRegistry)
        #expect(notices.map(\.rule) == ["grid-reaches-low-noise"])
        #expect(notices.first?.location == at(2, 19))
        #expect(
            notices.first?.description == """
                recipes/test.yaml:2:19: notice: timeGrid 'uniform' on sde 'edm' spends 3.8 % of its 18 steps below noise level σ/α = 0.4, the middle of its range 80 … 0.002 in log scale; fixed-step samplers then reach the data in a few long steps and put many samples off the data
                  it runs, but expect poor samples; grids that spend more steps at low noise on this process: geometric, karras, log-snr, quadratic
                """)
        let karras = try Self.resolveStandard("sde: { kind: edm }\ntimeGrid: { kind: karras, steps: 18 }\n")
        #expect(RecipeCompatibility.standard.notices(for: karras, registry: standardRegistry).isEmpty)
    }

    @Test("no recipe in recipes/ raises a notice")
    func shippedRecipesHaveNoNotice() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../recipes")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
        #expect(!names.isEmpty)
        for name in names {
            let recipe = try Recipe.load(contentsOf: folder.appendingPathComponent(name).path)
                .resolve(with: standardRegistry)
            #expect(RecipeCompatibility.standard.notices(for: recipe, registry: standardRegistry).isEmpty, "\(name)")
        }
    }

    // MARK: - plot

    @Test("plot draws an exact recipe's pictures into the output folder")
    func plotRecipeFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let yaml = Self.exactRecipe(
            extra: "timeGrid: { kind: karras, steps: 10, finalStep: toZero }\nsampler: { kind: heun }")
        let path = try writeRecipe(yaml, named: "exact.yaml", in: folder)
        var options = PlotSession.Options(folder: path)
        options.output = folder + "/pictures"
        let (written, skipped) = try PlotSession(options: options, registry: standardRegistry).run()
        #expect(Set(written) == [folder + "/pictures/score-field.svg", folder + "/pictures/samples-trajectories.svg"])
        #expect(skipped.contains { $0.hasPrefix("loss: ") })
        #expect(RunFolder.defaultPath(forRecipe: path) == "runs/exact")
    }
}

/// A model whose output is 0.
private struct ZeroModel: ScoreModel {
    func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor { Tensor.zeros(x.shape) }
}
