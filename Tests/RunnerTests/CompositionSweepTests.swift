import Foundation
import ScoreKitCore
import ScoreKitMetrics
import ScoreKitNetworks
import ScoreKitRunner
import Testing

extension Tag {
    /// Tests that take more than a few seconds; `scripts/test.sh` runs them too.
    @Tag static var slow: Self
}

/// `validate`'s promise, checked over the registry's cross product: every process ×
/// parameterization × loss × sampler × time grid either is refused when the recipe is resolved,
/// with a location, or trains, samples and evaluates to finite numbers.
///
/// The families come from `ComponentRegistry.standard()`, so a component registered later is
/// swept without editing this file. Plan: train a tiny MLP once per process × parameterization ×
/// loss (a few steps), then sample every trained model with every sampler × grid that resolves
/// (few steps, few samples), and evaluate the first samples of each process × parameterization.
/// The exact mixture (no training) is swept the same way over process × parameterization ×
/// sampler × grid, which also checks `mala` and prints the share of samples off the ring.
@Suite("Composition sweep")
struct CompositionSweepTests {
    static let registry = ComponentRegistry.standard()

    /// Representative settings: a small network, few steps, few samples.
    static let trainingSteps = 6
    static let gridSteps = 5
    static let exactGridSteps = 18
    static let iterations = 3
    static let sampleCount = 8
    static let exactSampleCount = 64

    /// What happened to one combination.
    enum Outcome: Error {
        case refused(String)
        case ran
        case failed(String)
    }

    /// Every finding, for the printed summary.
    final class Findings: @unchecked Sendable {
        var refusals: [String: [String]] = [:]
        var failures: [String] = []
        var runCount = 0
        var offManifold: [(combination: String, fraction: Double)] = []

        func record(_ outcome: Outcome, _ combination: String) {
            switch outcome {
            case .refused(let headline): refusals[headline, default: []].append(combination)
            case .ran: runCount += 1
            case .failed(let reason):
                failures.append("\(combination): \(reason)")
                Issue.record("\(combination): \(reason)")
            }
        }

        var summary: String {
            var lines = ["\(runCount) combinations ran to finite results; \(failures.count) failed"]
            for (headline, combinations) in refusals.sorted(by: { $0.key < $1.key }) {
                lines.append("refused \(combinations.count)×: \(headline)")
                lines.append("    e.g. \(combinations.prefix(3).joined(separator: "; "))")
            }
            lines += failures.map { "FAILED \($0)" }
            return lines.joined(separator: "\n")
        }
    }

    // MARK: - Recipes

    /// A flow mapping `{ kind: id, key: value… }`, with `steps` set to `steps` when the component has that key.
    static func section<Product>(
        _ kind: ComponentKind<Product>, _ id: ComponentID, steps: Int? = nil, extra: String = ""
    ) -> String {
        var keys = ["kind: \(id.rawValue)"]
        let defaults = registry.entries(of: kind).first { $0.id == id }?.defaults
        if let steps, defaults?["steps"] != nil { keys.append("steps: \(steps)") }
        if !extra.isEmpty { keys.append(extra) }
        return "{ " + keys.joined(separator: ", ") + " }"
    }

    /// The `times` grid has no steps: a list of lattice timesteps, inside every process's range.
    static let explicitTimesteps = "timesteps: [999, 750, 500, 250, 100, 30, 10]"

    static func trainingRecipe(sde: ComponentID, parameterization: ComponentID, loss: ComponentID) -> String {
        """
        sde: { kind: \(sde.rawValue) }
        parameterization: { kind: \(parameterization.rawValue) }
        loss: { kind: \(loss.rawValue) }
        network: { kind: mlp, hiddenWidths: [16, 16], embeddingWidth: 8 }
        optimizer: { kind: adam }
        data: { kind: ring, count: 512 }
        training: { steps: \(trainingSteps), batchSize: 32, logEvery: 1000, checkpointEvery: 0, ema: { decay: 0.9 } }
        seed: 1

        """
    }

    static func samplingRecipe(
        sde: ComponentID, parameterization: ComponentID, network: String, sampler: ComponentID, grid: ComponentID,
        gridSteps: Int
    ) -> String {
        """
        sde: { kind: \(sde.rawValue) }
        parameterization: { kind: \(parameterization.rawValue) }
        network: \(network)
        data: { kind: ring, count: 512 }
        timeGrid: \(section(.timeGrid, grid, steps: gridSteps, extra: grid == "times" ? Self.explicitTimesteps : ""))
        sampler: \(section(.sampler, sampler, steps: iterations))
        seed: 1

        """
    }

    /// The recipe resolved, or the refusal's headline; a refusal without a location is a failure.
    static func resolve(_ yaml: String) -> Result<ResolvedRecipe, Outcome> {
        do throws(RecipeError) {
            return .success(try Recipe(yaml: yaml, source: "sweep.yaml").resolve(with: registry))
        } catch {
            let unlocated = error.errors.filter { $0.location == nil }
            guard unlocated.isEmpty else {
                return .failure(.failed("refused without a location: \(unlocated.map(\.description))"))
            }
            return .failure(.refused(headline(of: error)))
        }
    }

    /// The first error's first line, without its location.
    static func headline(of error: RecipeError) -> String {
        let first = error.errors.first?.description.split(separator: "\n").first.map(String.init) ?? ""
        guard let range = first.range(of: "error: ") else { return first }
        return String(first[range.upperBound...])
    }

    // MARK: - Running

    static func process(
        _ sde: any ForwardSDE, _ target: any Parameterization, _ model: any ScoreModel
    )
        -> any ReverseProcess
    {
        func open<S: ForwardSDE, P: Parameterization, M: ScoreModel>(_ s: S, _ p: P, _ m: M) -> any ReverseProcess {
            ModelReverseProcess(sde: s, parameterization: p, model: m)
        }
        return open(sde, target, model)
    }

    /// Samples of `recipe`'s sampler over its grid, or why they could not be drawn.
    static func draw(
        _ recipe: ResolvedRecipe, model: any ScoreModel, count: Int
    ) -> Result<Tensor, Outcome> {
        do {
            let method = try SamplingMethod(recipe: recipe)
            let parameterization = try #require(recipe.parameterization)
            let (samples, _) = try method.draw(
                process: process(recipe.sde, parameterization, model), count: count, dimension: 2, first: 0,
                seed: recipe.seed, initial: nil)
            guard samples.isFinite else { return .failure(.failed("non-finite samples")) }
            return .success(samples)
        } catch {
            return .failure(.failed("\(error)".replacingOccurrences(of: "\n", with: " ")))
        }
    }

    /// A tiny training run: the averaged model, or why it failed.
    static func train(_ recipe: ResolvedRecipe) -> Result<any ScoreModel, Outcome> {
        do {
            let trainer = Trainer(plan: try TrainingPlan(recipe: recipe))
            var state = trainer.initialState()
            var diagnostics = trainer.makeDiagnostics()
            try trainer.train(&state, until: trainingSteps, diagnostics: &diagnostics)
            return .success(state.averagedModel)
        } catch {
            return .failure(.failed("training: " + "\(error)".replacingOccurrences(of: "\n", with: " ")))
        }
    }

    // MARK: - The sweeps

    @Test(
        "trained: process × parameterization × loss × sampler × grid is refused with a location or runs", .tags(.slow))
    func trainedSweep() throws {
        let findings = Findings()
        let samplers = Self.registry.ids(of: .sampler)
        let grids = Self.registry.ids(of: .timeGrid)
        var evaluated = 0
        var referenceNoise = PerSampleNoise(seed: 5)
        let reference = GaussianMixture.ring().sample(count: 256, noise: &referenceNoise)
        for sde in Self.registry.ids(of: .sde) {
            for target in Self.registry.ids(of: .parameterization) {
                var models: [(loss: ComponentID, model: any ScoreModel)] = []
                for loss in Self.registry.ids(of: .loss) {
                    let combination = "\(sde)/\(target)/\(loss)"
                    switch Self.resolve(Self.trainingRecipe(sde: sde, parameterization: target, loss: loss)) {
                    case .failure(let outcome): findings.record(outcome, combination)
                    case .success(let recipe):
                        switch Self.train(recipe) {
                        case .failure(let outcome): findings.record(outcome, combination)
                        case .success(let model): models.append((loss, model))
                        }
                    }
                }
                guard !models.isEmpty else { continue }
                let network = "{ kind: mlp, hiddenWidths: [16, 16], embeddingWidth: 8 }"
                for sampler in samplers {
                    for grid in grids {
                        let combination = "\(sde)/\(target)/\(sampler)/\(grid)"
                        let yaml = Self.samplingRecipe(
                            sde: sde, parameterization: target, network: network, sampler: sampler, grid: grid,
                            gridSteps: Self.gridSteps)
                        switch Self.resolve(yaml) {
                        case .failure(let outcome): findings.record(outcome, combination)
                        case .success(let recipe):
                            for (loss, model) in models {
                                switch Self.draw(recipe, model: model, count: Self.sampleCount) {
                                case .failure(let outcome): findings.record(outcome, combination + " (\(loss))")
                                case .success(let samples):
                                    findings.record(.ran, combination)
                                    if evaluated < 12, loss == models[0].loss, sampler == samplers[0] {
                                        let report = SampleEvaluation().evaluate(
                                            samples: samples, reference: reference, mixture: .ring())
                                        #expect(report.energyDistance.isFinite, "\(combination)")
                                        #expect(report.slicedWasserstein2.isFinite, "\(combination)")
                                        evaluated += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        print(findings.summary)
        #expect(evaluated > 0)
    }

    @Test("exact mixture: process × parameterization × sampler × grid is refused with a location or runs", .tags(.slow))
    func exactSweep() throws {
        let findings = Findings()
        let ring = GaussianMixture.ring()
        for sde in Self.registry.ids(of: .sde) {
            for target in Self.registry.ids(of: .parameterization) {
                for sampler in Self.registry.ids(of: .sampler) {
                    for grid in Self.registry.ids(of: .timeGrid) {
                        let combination = "\(sde)/\(target)/\(sampler)/\(grid)"
                        let yaml = Self.samplingRecipe(
                            sde: sde, parameterization: target, network: "{ kind: exact-mixture }", sampler: sampler,
                            grid: grid, gridSteps: Self.exactGridSteps)
                        switch Self.resolve(yaml) {
                        case .failure(let outcome): findings.record(outcome, combination)
                        case .success(let recipe):
                            do {
                                let exact = try #require(recipe.network as? any ExactModelArchitecture)
                                let model = try exact.makeExactModel(
                                    data: try #require(recipe.dataSpecification), sde: recipe.sde,
                                    parameterization: try #require(recipe.parameterization))
                                switch Self.draw(recipe, model: model, count: Self.exactSampleCount) {
                                case .failure(let outcome): findings.record(outcome, combination)
                                case .success(let samples):
                                    findings.record(.ran, combination)
                                    let fraction = SampleQuality.offManifoldFraction(
                                        samples, means: ring.means, radius: 4 * ring.largestStandardDeviation)
                                    findings.offManifold.append((combination, fraction))
                                }
                            } catch {
                                findings.record(.failed("\(error)"), combination)
                            }
                        }
                    }
                }
            }
        }
        print(findings.summary)
        let poor = findings.offManifold.filter { $0.fraction > 0.1 }
        print("\(poor.count) of \(findings.offManifold.count) exact runs put > 10 % off the ring:")
        for (combination, fraction) in poor { print("  \(combination): \(fraction)") }
    }
}
