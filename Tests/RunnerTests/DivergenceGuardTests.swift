import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// The divergence guard: the running median, the loss ceiling, non-finite state, checkpoint
/// rotation, and what a resume refuses or leaves alone.
@Suite("Divergence guard", .serialized)
struct DivergenceGuardTests {
    /// `tinyRecipe` with `training` lines added and the given learning rate and clipping.
    static func recipe(
        steps: Int = 120, learningRate: String = "1e-3", clip: String = "1", training: String = "",
        optimizer: String = "{ kind: adam }"
    ) -> String {
        tinyRecipe(steps: steps, optimizer: optimizer, training: training)
            .replacingOccurrences(of: "learningRate: 1e-3", with: "learningRate: \(learningRate)")
            .replacingOccurrences(of: "gradientClipNorm: 1", with: "gradientClipNorm: \(clip)")
    }

    /// The divergence `body` throws, or `nil` (recording an issue) for anything else.
    static func divergence(_ body: () throws -> Void) -> TrainingError.Divergence? {
        do {
            try body()
            Issue.record("expected the run to diverge; it finished")
        } catch TrainingError.diverged(let divergence) {
            return divergence
        } catch {
            Issue.record("expected a divergence, got \(error)")
        }
        return nil
    }

    // MARK: - Running median and ceiling

    @Test("the running median: odd and even windows, the oldest value dropped, memory bounded")
    func runningMedian() {
        var window = RunningMedian(capacity: 4)
        #expect(window.median == nil && window.count == 0)
        window.record(5)
        #expect(window.median == 5)
        window.record(1)
        #expect(window.median == 3)
        window.record(9)
        #expect(window.median == 5)
        window.record(2)
        #expect(window.median == 3.5 && window.count == 4)
        window.record(100)  // drops 5: [1, 9, 2, 100]
        #expect(window.values == [1, 9, 2, 100] && window.median == 5.5 && window.count == 4)
        for value in 0..<1_000 { window.record(Double(value)) }
        #expect(window.values == [996, 997, 998, 999] && window.count == 4)
        #expect(RunningMedian(capacity: 3, values: [1, 2, 3, 4, 5]).values == [3, 4, 5])
    }

    @Test("the ceiling: off for 0 and .inf, during the warm-up and for a loss ≤ 0 in the window; factor × median after")
    func ceiling() {
        var window = DivergenceGuard.makeWindow()
        #expect(window.capacity == 100 && DivergenceGuard.warmupCount == 20)
        for step in 0..<19 { window.record(Double(step % 3 + 1)) }
        let guardOn = DivergenceGuard(factor: 1e4)
        #expect(guardOn.ceiling(given: window) == nil)
        window.record(2)
        #expect(guardOn.ceiling(given: window) == 2e4)
        for factor in [0, Double.infinity] {
            #expect(!DivergenceGuard(factor: factor).isEnabled)
            #expect(DivergenceGuard(factor: factor).ceiling(given: window) == nil)
        }
        let negative = RunningMedian(capacity: 100, values: (0..<30).map { -Double($0) })
        #expect(guardOn.ceiling(given: negative) == nil)
        // Crossing zero: the median is positive and tiny, but one loss of the window is ≤ 0.
        let crossing = RunningMedian(capacity: 100, values: [-0.01] + (1..<30).map { Double($0) * 1e-6 })
        #expect(crossing.median! > 0 && guardOn.ceiling(given: crossing) == nil)
    }

    @Test("training.divergenceFactor: 1e4 by default, ≥ 0, written into the resolved recipe")
    func configuration() throws {
        #expect(TrainingConfiguration().divergenceFactor == 1e4)
        let recipe = try resolveTraining(tinyRecipe())
        #expect(recipe.trainingConfiguration?.divergenceFactor == 1e4)
        #expect(recipe.yaml.contains("divergenceFactor: 10000"))
        #expect(
            try resolveTraining(tinyRecipe(training: "divergenceFactor: .inf")).trainingConfiguration?.divergenceFactor
                == .infinity)
        #expect(
            trainingResolutionError(tinyRecipe(training: "divergenceFactor: -1"))?.description.contains(
                "divergenceFactor") == true)
    }

    // MARK: - The trainer

    @Test("a loss above factor × its running median is not applied; the state stays at the last step")
    func lossCeiling() throws {
        // A factor of 1 refuses the first loss above the median of the steps before it.
        let trainer = try TrainerTests.trainer(Self.recipe(training: "divergenceFactor: 1"))
        var state = trainer.initialState()
        var diagnostics = trainer.makeDiagnostics()
        let failure = try #require(
            Self.divergence { try trainer.train(&state, until: 120, diagnostics: &diagnostics) })
        #expect(failure.cause == .lossAboveCeiling(factor: 1))
        #expect(failure.step == state.step + 1 && failure.step > DivergenceGuard.warmupCount)
        let median = try #require(failure.runningMedian)
        #expect(Double(failure.loss) > median && failure.medianCount == min(state.step, 100))
        #expect(failure.times.isEmpty && failure.gradientNorm.isFinite)
        var again = trainer.initialState()
        var other = trainer.makeDiagnostics()
        try trainer.train(&again, until: state.step, diagnostics: &other)
        #expect(bitwiseEqual(TrainerTests.snapshot(state, trainer), TrainerTests.snapshot(again, trainer)))
        #expect(again.recentLosses == state.recentLosses)
    }

    @Test("the same run with the guard off trains past that step")
    func guardOff() throws {
        for factor in ["0", ".inf"] {
            let trainer = try TrainerTests.trainer(Self.recipe(steps: 40, training: "divergenceFactor: \(factor)"))
            var state = trainer.initialState()
            var diagnostics = trainer.makeDiagnostics()
            try trainer.train(&state, until: 40, diagnostics: &diagnostics)
            #expect(state.step == 40 && state.recentLosses.count == 40)
        }
    }

    @Test("Adam at learning rate 100 without clipping: its second moment overflows, named after the update")
    func nonFiniteOptimizerState() throws {
        let trainer = try TrainerTests.trainer(Self.recipe(learningRate: "100", clip: ".inf"))
        var state = trainer.initialState()
        var diagnostics = trainer.makeDiagnostics()
        let failure = try #require(
            Self.divergence { try trainer.train(&state, until: 120, diagnostics: &diagnostics) })
        guard case .nonFiniteState(let tensor) = failure.cause else {
            Issue.record("expected a non-finite optimizer state, got \(failure.cause)")
            return
        }
        #expect(tensor.name.hasPrefix("optimizer.adam.v.") && tensor.count >= 1 && tensor.firstValue == .infinity)
        #expect(failure.step < 10 && failure.loss.isFinite && failure.runningMedian != nil)
        // The state in memory is the bad one: a checkpoint of it would be refused.
        let checkpoint = Checkpoint(state: state, plan: trainer.plan, recipe: "")
        #expect(checkpoint.firstNonFiniteTensor(in: [.model, .average]) == nil)
        #expect(checkpoint.firstNonFiniteTensor()?.name.hasPrefix("optimizer.adam.v.") == true)
    }

    @Test("NonFiniteTensor.first: the first bad tensor in order, its count and first value")
    func firstNonFinite() {
        var values = [Float](repeating: 0.5, count: 40)
        values[17] = .nan
        values[20] = .infinity
        values[39] = -.infinity
        let tensors: [(name: String, tensor: Tensor)] = [
            ("a", Tensor([1, 2], shape: [2])), ("b", Tensor(values, shape: [4, 10])), ("c", Tensor([.nan], shape: [1])),
        ]
        let bad = NonFiniteTensor.first(in: tensors)
        #expect(bad == NonFiniteTensor(name: "b", count: 3, firstIndex: 17, firstValue: .nan))
        #expect(bad?.description == "tensor 'b' holds 3 non-finite values (first at index 17: nan)")
        #expect(NonFiniteTensor.first(in: tensors.prefix(1)) == nil)
        #expect(
            NonFiniteTensor(name: "x", count: 1, firstIndex: 0, firstValue: -.infinity).description
                == "tensor 'x' holds 1 non-finite value (first at index 0: -inf)")
    }

    // MARK: - Messages

    @Test("the ceiling and non-finite-state messages: step, time, values, what was saved, hint")
    func messages() {
        let ceiling = TrainingError.Divergence(
            step: 240, stepCount: 2000, cause: .lossAboveCeiling(factor: 1e4), loss: 6.1e26, runningMedian: 1.234,
            medianCount: 100, gradientNorm: 3.4e12, learningRate: 100, sampleCount: 256, elapsedSeconds: 191,
            folder: "runs/r", keptCheckpoint: .init(path: "runs/r/checkpoint.safetensors", step: 200))
        #expect(
            TrainingError.diverged(ceiling).description == """
                error: training diverged at step 240 of 2000 (3 min 11 s after the start): the loss 6.1e+26 is above training.divergenceFactor (1e+04) × its running median
                  loss 6.1e+26, running median 1.234 over the last 100 steps; gradient norm 3.4e+12 (before clipping); learning rate 100
                  the checkpoint of step 200 is kept: runs/r/checkpoint.safetensors; nothing after step 200 was saved
                  hint: lower training.learningRate, set training.gradientClipNorm (such as 1), or standardise the data (data.standardization: perDimension); then continue with --resume; a jump you expect: raise training.divergenceFactor (0: off)
                """)
        let state = TrainingError.Divergence(
            step: 2, stepCount: 2000,
            cause: .nonFiniteState(
                NonFiniteTensor(name: "optimizer.adam.v.l1.weight", count: 8, firstIndex: 2, firstValue: .infinity)),
            loss: 4.277e24, runningMedian: 0.5461, medianCount: 1, gradientNorm: 3.784e23, learningRate: 100,
            sampleCount: 256, elapsedSeconds: 0.04, folder: "runs/r")
        #expect(
            TrainingError.diverged(state).description == """
                error: training diverged at step 2 of 2000 (0.0 s after the start): after the update, tensor 'optimizer.adam.v.l1.weight' holds 8 non-finite values (first at index 2: inf)
                  loss 4.277e+24, running median 0.5461 over the last step; gradient norm 3.784e+23 (before clipping); learning rate 100
                  nothing was saved: runs/r holds no checkpoint from before the divergence
                  hint: lower training.learningRate, set training.gradientClipNorm (such as 1), or standardise the data (data.standardization: perDimension)
                """)
    }

    // MARK: - Checkpoints and sessions

    /// Trains `yaml` into `dir/run` for its steps (or up to `stopAt`), returning the options.
    static func session(_ yaml: String, in dir: String, stopAt: Int? = nil) throws -> TrainingSession.Options {
        var options = TrainingSession.Options(recipePath: try writeRecipe(yaml, in: dir))
        options.outputFolder = dir + "/run"
        options.pictures = false
        options.stopAtStep = stopAt
        try TrainingSession(options: options, registry: trainingRegistry).run()
        return options
    }

    @Test("checkpoints rotate: the one before the latest is kept as checkpoint.previous.safetensors")
    func rotation() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let yaml = Self.recipe(steps: 6).replacingOccurrences(of: "checkpointEvery: 60", with: "checkpointEvery: 2")
        _ = try Self.session(yaml, in: dir, stopAt: 4)
        let run = RunFolder(path: dir + "/run")
        #expect(try Checkpoint.read(run.checkpoint).step == 4 && Checkpoint.read(run.previousCheckpoint).step == 2)
        let atFour = try Data(contentsOf: URL(fileURLWithPath: run.checkpoint))
        var options = TrainingSession.Options(recipePath: dir + "/run")  // the run folder as the recipe
        options.resume = true
        options.pictures = false
        try TrainingSession(options: options, registry: trainingRegistry).run()
        #expect(try Checkpoint.read(run.checkpoint).step == 6)
        #expect(try Data(contentsOf: URL(fileURLWithPath: run.previousCheckpoint)) == atFour)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: run.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test("the guard's window is in the checkpoint, so a resumed run has the same ceiling")
    func windowInCheckpoint() throws {
        let (trainer, state) = try CheckpointTests.trained(tinyRecipe(), steps: 30)
        #expect(state.recentLosses.count == 30)
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Checkpoint(state: state, plan: trainer.plan, recipe: "").write(to: dir + "/c.safetensors")
        let checkpoint = try Checkpoint.read(dir + "/c.safetensors")
        #expect(checkpoint.recentLosses == state.recentLosses.values)
        var restored = trainer.initialState()
        try checkpoint.restore(into: &restored, path: "c")
        #expect(restored.recentLosses == state.recentLosses)
        var file = try SafeTensorsFile.read(dir + "/c.safetensors")
        file.metadata["recentLosses"] = "1.5,nan"
        try FileIO.writeAtomically(file.encoded(), to: dir + "/bad.safetensors")
        #expect(throws: CheckpointError.self) { _ = try Checkpoint.read(dir + "/bad.safetensors") }
    }

    @Test("resuming from a checkpoint with a NaN weight average is refused, naming the tensor")
    func nonFiniteResume() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = try Self.session(Self.recipe(steps: 4), in: dir)
        let run = RunFolder(path: dir + "/run")
        var checkpoint = try Checkpoint.read(run.checkpoint)
        var weights = try #require(checkpoint.average["l1.weight"]).scalars
        for i in [17, 19, 30] { weights[i] = .nan }
        checkpoint.average["l1.weight"] = Tensor(weights, shape: checkpoint.average["l1.weight"]!.shape)
        try checkpoint.write(to: run.checkpoint)
        options.resume = true
        options.steps = 8
        let error = #expect(throws: TrainingError.self) {
            try TrainingSession(options: options, registry: trainingRegistry).run()
        }
        #expect(
            error
                == .checkpoint(
                    .nonFiniteTensor(
                        path: run.checkpoint,
                        tensor: NonFiniteTensor(name: "ema.l1.weight", count: 3, firstIndex: 17, firstValue: .nan),
                        use: .resuming, previous: nil)))
        #expect(
            error?.description == """
                \(run.checkpoint): error: tensor 'ema.l1.weight' holds 3 non-finite values (first at index 17: nan)
                  a run resumes only from finite weights, weight average and optimizer state; this checkpoint was saved after training had diverged, or the file was changed
                  train again in another folder (--out) with a lower training.learningRate or a training.gradientClipNorm (such as 1)
                """)
        try checkpoint.write(to: run.previousCheckpoint)
        let withPrevious = CheckpointError.nonFiniteTensor(
            path: run.checkpoint, tensor: NonFiniteTensor(name: "x", count: 1, firstIndex: 0, firstValue: .nan),
            use: .loadingNetwork, previous: run.previousCheckpoint)
        #expect(
            withPrevious.description.hasSuffix(
                "\n  use an earlier checkpoint (--checkpoint \(run.previousCheckpoint)), or train again with a lower "
                    + "training.learningRate or a training.gradientClipNorm (such as 1)"))
    }

    @Test("--steps below the checkpoint's step is refused and changes nothing; a longer run keeps resolved-recipe.yaml")
    func resumeSteps() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = try Self.session(Self.recipe(steps: 6), in: dir)
        let run = RunFolder(path: dir + "/run")
        let files = [run.resolvedRecipe, run.metrics, run.checkpoint, run.finalCheckpoint]
        let before = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        options.resume = true
        options.steps = 4
        let error = #expect(throws: TrainingError.self) {
            try TrainingSession(options: options, registry: trainingRegistry).run()
        }
        #expect(error == .checkpointPastEnd(path: run.checkpoint, step: 6, stepCount: 4))
        #expect(
            error?.description == """
                \(run.checkpoint): error: the checkpoint is at step 6, past the run's length of 4 steps (training.steps)
                  with --resume, --steps N is the run's new length, counted from its first step, not N more steps
                  to train longer, give --steps above 6; the run is left as it is
                """)
        #expect(try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == before)
        options.steps = 9
        let summary = try TrainingSession(options: options, registry: trainingRegistry).run()
        #expect(summary.step == 9)
        #expect(try Data(contentsOf: URL(fileURLWithPath: run.resolvedRecipe)) == before[0])
        #expect(try Checkpoint.read(run.finalCheckpoint).recipe.contains("steps: 9"))
        let log = try String(contentsOfFile: run.log, encoding: .utf8)
        #expect(log.contains("at step 6; training settings changed: training.steps"), "\(log)")
    }
}
