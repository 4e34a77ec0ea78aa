import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitRunner
import Testing

/// The training loop: determinism, diagnostics, evaluation, non-finite detection.
@Suite("Trainer", .serialized)
struct TrainerTests {
    /// A trainer for `yaml` (resolved with `trainingRegistry`).
    static func trainer(_ yaml: String) throws -> Trainer {
        Trainer(plan: try TrainingPlan(recipe: try resolveTraining(yaml)))
    }

    /// The weights, average and optimizer tensors of `state`, by checkpoint name.
    static func snapshot(_ state: TrainingState, _ trainer: Trainer) -> [String: Tensor] {
        Checkpoint(state: state, plan: trainer.plan, recipe: "").file.tensors
    }

    @Test("the same seed gives the same weights bit for bit; another seed does not")
    func determinism() throws {
        var results: [[String: Tensor]] = []
        for seed in [3, 3, 4] {
            let trainer = try Self.trainer(tinyRecipe(steps: 40, seed: seed))
            var state = trainer.initialState()
            var diagnostics = trainer.makeDiagnostics()
            try trainer.train(&state, until: 40, diagnostics: &diagnostics)
            #expect(state.step == 40 && state.optimizerState.stepCount == 40 && state.average.updateCount == 40)
            results.append(Self.snapshot(state, trainer))
        }
        #expect(bitwiseEqual(results[0], results[1]))
        #expect(!bitwiseEqual(results[0], results[2]))
    }

    @Test("training in pieces equals training at once (every step's streams come from (seed, step))")
    func pieces() throws {
        let trainer = try Self.trainer(tinyRecipe(steps: 30))
        var whole = trainer.initialState()
        var pieces = trainer.initialState()
        var diagnostics = trainer.makeDiagnostics()
        try trainer.train(&whole, until: 30, diagnostics: &diagnostics)
        for stop in [7, 8, 20, 30] { try trainer.train(&pieces, until: stop, diagnostics: &diagnostics) }
        #expect(bitwiseEqual(Self.snapshot(whole, trainer), Self.snapshot(pieces, trainer)))
    }

    @Test("the loss falls; per-time bins are filled; the learning rate follows the schedule")
    func diagnostics() throws {
        let trainer = try Self.trainer(tinyRecipe(steps: 200))
        var state = trainer.initialState()
        var diagnostics = trainer.makeDiagnostics()
        var rates: [Double] = []
        try trainer.train(&state, until: 20, diagnostics: &diagnostics) { rates.append($0.learningRate) }
        let first = diagnostics.flush(step: 20)
        try trainer.train(&state, until: 200, diagnostics: &diagnostics) { rates.append($0.learningRate) }
        let last = diagnostics.flush(step: 200)
        #expect(last.loss < first.loss)
        #expect(first.lossByTime.count == 10 && first.lossByTime.allSatisfy { $0 != nil })
        #expect(rates.first == 1e-3 && abs(rates.last! - 1e-5) < 1e-6 && rates == rates.sorted(by: >))
        #expect(last.learningRate == rates.last! && last.gradientNorm > 0)
    }

    @Test("the held-out loss of the averaged weights is deterministic and falls")
    func heldOut() throws {
        let trainer = try Self.trainer(
            tinyRecipe(steps: 150, data: "{ kind: ring, count: 2000, heldOutFraction: 0.2 }"))
        var state = trainer.initialState()
        let before = try #require(trainer.heldOutLoss(of: state.averagedModel))
        #expect(trainer.heldOutLoss(of: state.averagedModel) == before)
        var diagnostics = trainer.makeDiagnostics()
        try trainer.train(&state, until: 150, diagnostics: &diagnostics)
        let after = try #require(trainer.heldOutLoss(of: state.averagedModel))
        #expect(after < before)
    }

    @Test("a learning rate of 1e6 makes the loss non-finite: typed error, last good state kept")
    func exploding() throws {
        let yaml = tinyRecipe(steps: 100, optimizer: "{ kind: sgd }")
            .replacingOccurrences(of: "learningRate: 1e-3", with: "learningRate: 1e6")
            .replacingOccurrences(of: "gradientClipNorm: 1", with: "gradientClipNorm: .inf")
        let trainer = try Self.trainer(yaml)
        var state = trainer.initialState()
        var diagnostics = trainer.makeDiagnostics()
        let error = #expect(throws: TrainingError.self) {
            try trainer.train(&state, until: 100, diagnostics: &diagnostics)
        }
        guard case .diverged(let failure) = error, failure.cause == .nonFiniteLoss else {
            Issue.record("expected a non-finite loss, got \(String(describing: error))")
            return
        }
        #expect(failure.step == state.step + 1 && failure.step > 1 && failure.step < 100)
        #expect(!failure.times.isEmpty && failure.sampleCount == 64 && failure.learningRate > 1e5)
        // The state is the one after step − 1 steps: training a fresh state that far gives it.
        var again = trainer.initialState()
        try trainer.train(&again, until: state.step, diagnostics: &diagnostics)
        #expect(bitwiseEqual(Self.snapshot(state, trainer), Self.snapshot(again, trainer)))
    }

    @Test("data that overflows the loss stops at step 1 with every sample's time")
    func overflow() throws {
        let trainer = try Self.trainer(
            tinyRecipe(data: "{ kind: gaussian-mixture, count: 100, means: [[1e25, 0]], standardDeviations: [1] }"))
        var state = trainer.initialState()
        var diagnostics = trainer.makeDiagnostics()
        let error = #expect(throws: TrainingError.self) {
            try trainer.train(&state, until: 10, diagnostics: &diagnostics)
        }
        guard case .diverged(let failure) = error, failure.cause == .nonFiniteLoss else {
            Issue.record("expected a non-finite loss, got \(String(describing: error))")
            return
        }
        #expect(failure.step == 1 && state.step == 0 && failure.times.count == 64 && !failure.loss.isFinite)
    }

    @Test("the divergence message: step, time, values, the checkpoint kept, hint")
    func divergenceMessage() {
        let failure = TrainingError.Divergence(
            step: 213, stepCount: 20000, cause: .nonFiniteLoss, loss: .nan, runningMedian: 0.8123, medianCount: 100,
            gradientNorm: .infinity, learningRate: 1e6, times: [0.0123, 0.0456, 0.98], sampleCount: 512,
            elapsedSeconds: 41.23, folder: "runs/r",
            keptCheckpoint: .init(
                path: "runs/r/checkpoint.safetensors", step: 200,
                previousPath: "runs/r/checkpoint.previous.safetensors"))
        #expect(
            TrainingError.diverged(failure).description == """
                error: training diverged at step 213 of 20000 (41.2 s after the start): the loss is non-finite (nan)
                  3 of 512 samples non-finite, at t = 0.0123, 0.0456, 0.98
                  loss nan, running median 0.8123 over the last 100 steps; gradient norm inf (before clipping); learning rate 1e+06
                  the checkpoint of step 200 is kept: runs/r/checkpoint.safetensors (the one before it: runs/r/checkpoint.previous.safetensors); nothing after step 200 was saved
                  hint: lower training.learningRate, set training.gradientClipNorm (such as 1), or standardise the data (data.standardization: perDimension); then continue with --resume
                """)
    }

    @Test("labelled data trains a class-conditional network")
    func labelled() throws {
        let trainer = try Self.trainer(tinyRecipe(steps: 5, data: "{ kind: two-moons, count: 500, labelled: true }"))
        let state = trainer.initialState()
        #expect(state.model.parameters.names.last == "labelEmbedding.weight")
        #expect(state.model.parameters["labelEmbedding.weight"]?.shape == [3, 8])
        var trained = state
        var diagnostics = trainer.makeDiagnostics()
        try trainer.train(&trained, until: 5, diagnostics: &diagnostics)
        #expect(trained.model.parameters["labelEmbedding.weight"] != state.model.parameters["labelEmbedding.weight"])
    }
}
