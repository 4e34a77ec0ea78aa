import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitRunner
import Testing

/// Checkpoints: contents, validation against the recipe, bit-exact resume, and survival of kill -9.
@Suite("Checkpoints", .serialized)
struct CheckpointTests {
    /// A trainer for `yaml` and its state after `steps` steps.
    static func trained(_ yaml: String, steps: Int) throws -> (Trainer, TrainingState) {
        let trainer = Trainer(plan: try TrainingPlan(recipe: try resolveTraining(yaml)))
        var state = trainer.initialState()
        var diagnostics = trainer.makeDiagnostics()
        try trainer.train(&state, until: steps, diagnostics: &diagnostics)
        return (trainer, state)
    }

    /// The error `body` throws, as a `CheckpointError`.
    static func checkpointError(_ body: () throws -> Void) -> CheckpointError? {
        do {
            try body()
            return nil
        } catch {
            return error as? CheckpointError
        }
    }

    @Test("a checkpoint holds model, EMA and optimizer tensors, the standardisation and the recipe, and restores them")
    func roundTrip() throws {
        let yaml = tinyRecipe(data: "{ kind: ring, count: 500, standardization: perDimension }")
        let (trainer, state) = try Self.trained(yaml, steps: 12)
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Checkpoint(state: state, plan: trainer.plan, recipe: yaml).write(to: dir + "/c.safetensors")
        let file = try SafeTensorsFile.read(dir + "/c.safetensors")
        #expect(file.tensors["model.l1.weight"] != nil && file.tensors["ema.l1.weight"] != nil)
        #expect(file.tensors["optimizer.adam.m.l1.weight"] != nil && file.tensors["optimizer.adam.v.l3.bias"] != nil)
        #expect(file.tensors["data.mean"]?.shape == [2] && file.tensors["data.standardDeviation"]?.shape == [2])
        #expect(file.metadata["step"] == "12" && file.metadata["seed"] == "3" && file.metadata["recipe"] == yaml)
        #expect(file.metadata["format"] == "scorekit-checkpoint" && file.metadata["randomState"] != nil)
        let checkpoint = try Checkpoint.read(dir + "/c.safetensors")
        #expect(checkpoint.standardization == trainer.plan.data.standardization)
        var restored = trainer.initialState()
        try checkpoint.restore(into: &restored, path: "c")
        #expect(restored.step == 12 && restored.optimizerState.stepCount == 12 && restored.average.updateCount == 12)
        #expect(bitwiseEqual(TrainerTests.snapshot(restored, trainer), TrainerTests.snapshot(state, trainer)))
    }

    @Test(
        "hostile metadata: a class count or sample shape beyond the ceilings is refused before anything is built",
        arguments: [
            ("classCount", "1000000000000", "above the ceiling of 100000 classes"),
            ("dataSampleShape", "4611686018427387904,4", "has more than 268435456 values a sample"),
            ("dataSampleShape", "100000,100000", "has more than 268435456 values a sample"),
        ])
    func hostileMetadata(key: String, value: String, message: String) throws {
        let yaml = tinyRecipe()
        let (trainer, state) = try Self.trained(yaml, steps: 2)
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Checkpoint(state: state, plan: trainer.plan, recipe: yaml).write(to: dir + "/c.safetensors")
        var file = try SafeTensorsFile.read(dir + "/c.safetensors")
        file.metadata[key] = value
        try FileIO.writeAtomically(file.encoded(), to: dir + "/hostile.safetensors")
        let error = Self.checkpointError { _ = try Checkpoint.read(dir + "/hostile.safetensors") }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix(dir + "/hostile.safetensors") == true, "\(String(describing: error))")
    }

    @Test("a truncated or corrupted file: the reader's one-paragraph error")
    func truncated() throws {
        let (trainer, state) = try Self.trained(tinyRecipe(), steps: 1)
        let bytes = Checkpoint(state: state, plan: trainer.plan, recipe: "").file.encoded()
        let dir = try folder(with: [
            "cut.safetensors": Array(bytes.prefix(bytes.count / 2)), "junk.safetensors": [1, 2, 3],
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cut = Self.checkpointError { _ = try Checkpoint.read(dir + "/cut.safetensors") }
        guard case .file(.malformed(let path, "safetensors", let reason)) = cut else {
            Issue.record("expected a malformed-file error, got \(String(describing: cut))")
            return
        }
        #expect(path == dir + "/cut.safetensors" && reason.contains("claims bytes"))
        #expect(cut?.description.hasSuffix("\n  the file may be truncated or corrupted; write it again") == true)
        #expect(
            Self.checkpointError { _ = try Checkpoint.read(dir + "/junk.safetensors") }?.description == """
                \(dir)/junk.safetensors: error: not a valid safetensors file: the file is shorter than its 8-byte header length
                  the file may be truncated or corrupted; write it again
                """)
        try SafeTensorsFile(tensors: ["x": Tensor([1])]).write(to: dir + "/other.safetensors")
        #expect(
            Self.checkpointError { _ = try Checkpoint.read(dir + "/other.safetensors") }?.description == """
                \(dir)/other.safetensors: error: not a ScoreKit checkpoint: its metadata has no format 'scorekit-checkpoint'
                  checkpoints are written by scorekit train
                """)
    }

    @Test("a checkpoint of another network or optimizer is refused with the first difference")
    func mismatch() throws {
        let (trainer, state) = try Self.trained(tinyRecipe(), steps: 1)
        let checkpoint = Checkpoint(state: state, plan: trainer.plan, recipe: "")
        let (wider, _) = try Self.trained(tinyRecipe(network: "hiddenWidths: [48, 32], embeddingWidth: 8"), steps: 0)
        var fresh = wider.initialState()
        #expect(
            Self.checkpointError { try checkpoint.restore(into: &fresh, path: "c.safetensors") }?.description == """
                c.safetensors: error: the checkpoint does not fit the recipe
                  'model.l1.weight' has shape [32, 10] in the checkpoint, the recipe makes [48, 10]
                  the checkpoint was written by another recipe; train into another folder or restore that recipe
                """)
        let (deeper, _) = try Self.trained(
            tinyRecipe(network: "hiddenWidths: [32, 32, 32], embeddingWidth: 8"), steps: 0)
        fresh = deeper.initialState()
        #expect(
            Self.checkpointError { try checkpoint.restore(into: &fresh, path: "c.safetensors") }
                == .missingTensors(path: "c.safetensors", names: ["model.l4.weight", "model.l4.bias"]))
        let (sgd, _) = try Self.trained(tinyRecipe(optimizer: "{ kind: sgd, momentum: 0.9 }"), steps: 0)
        fresh = sgd.initialState()
        let error = Self.checkpointError { try checkpoint.restore(into: &fresh, path: "c.safetensors") }
        guard case .missingTensors(_, let names) = error else {
            Issue.record("expected missing optimizer tensors, got \(String(describing: error))")
            return
        }
        #expect(names.first == "optimizer.sgd.momentum.emb1.weight")
    }

    @Test("N steps straight equal N/2, a resumed session, then N/2 more, bit for bit")
    func resumeIsExact() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = try writeRecipe(tinyRecipe(steps: 120), in: dir)
        var straight = TrainingSession.Options(recipePath: recipe)
        straight.outputFolder = dir + "/straight"
        try TrainingSession(options: straight, registry: trainingRegistry).run()
        var split = TrainingSession.Options(recipePath: recipe)
        split.outputFolder = dir + "/split"
        split.stopAtStep = 60
        let first = try TrainingSession(options: split, registry: trainingRegistry).run()
        #expect(
            first.step == 60 && !FileManager.default.fileExists(atPath: dir + "/split/checkpoint-final.safetensors"))
        split.stopAtStep = nil
        split.resume = true
        let second = try TrainingSession(options: split, registry: trainingRegistry).run()
        #expect(second.step == 120 && second.stepsThisRun == 60)
        let a = try tensors(at: dir + "/straight/checkpoint-final.safetensors")
        let b = try tensors(at: dir + "/split/checkpoint-final.safetensors")
        #expect(a.count > 20 && bitwiseEqual(a, b))
        let metrics = { (path: String) in
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
                .map {
                    $0.replacingOccurrences(of: #","stepsPerSecond":[^,}]*"#, with: "", options: .regularExpression)
                }
        }
        let splitMetrics = try metrics(dir + "/split/metrics.jsonl")
        #expect(try metrics(dir + "/straight/metrics.jsonl") == splitMetrics)
    }

    @Test("resuming with another recipe names the differences")
    func resumeOtherRecipe() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = TrainingSession.Options(recipePath: try writeRecipe(tinyRecipe(steps: 4), in: dir))
        options.outputFolder = dir + "/run"
        try TrainingSession(options: options, registry: trainingRegistry).run()
        options.resume = true
        options.overrides = [
            try ConfigurationOverride(parsing: "loss.levelCount=10"), try ConfigurationOverride(parsing: "seed=4"),
        ]
        let error = #expect(throws: TrainingError.self) {
            try TrainingSession(options: options, registry: trainingRegistry).run()
        }
        #expect(
            error?.description == """
                \(dir)/run/checkpoint.safetensors: error: the recipe differs from the one the checkpoint was trained with
                  differences: loss.levelCount, seed
                  only the training section may change when resuming
                """)
    }

    @Test(
        "kill -9 while writing checkpoints in a loop leaves a checkpoint that loads and resumes",
        .enabled(
            if: scorekitBinaryTestsEnabled,
            "the scorekit binary was not found beside the test bundle; build the scorekit product"))
    func killNine() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let yaml = tinyRecipe(steps: 1_000_000, network: "hiddenWidths: [256, 256], embeddingWidth: 32")
            .replacingOccurrences(of: "checkpointEvery: 60", with: "checkpointEvery: 1")
            .replacingOccurrences(of: "logEvery: 20", with: "logEvery: 1000")
        let recipe = try writeRecipe(yaml, in: dir)
        let checkpoint = dir + "/run/checkpoint.safetensors"
        // Kill until one kill lands inside a write (its temporary file is left), at most 5 times.
        var killedMidWrite = false
        for attempt in 0..<5 where !killedMidWrite {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(scorekitBinary))
            process.arguments =
                ["train", recipe, "--out", dir + "/run", "--quiet", "--threads", "1"]
                + (attempt > 0 ? ["--resume"] : [])
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while !FileManager.default.fileExists(atPath: checkpoint), Date() < deadline, process.isRunning {
                usleep(20_000)
            }
            // A checkpoint is rewritten every step: kill as soon as the next one's temporary file appears.
            let temporary = dir + "/run/.checkpoint.safetensors.tmp-\(process.processIdentifier)"
            while !FileManager.default.fileExists(atPath: temporary), Date() < deadline, process.isRunning {
                usleep(100)
            }
            try #require(process.isRunning, "scorekit train stopped early with status \(process.terminationStatus)")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            killedMidWrite = try FileManager.default.contentsOfDirectory(atPath: dir + "/run").contains {
                $0.contains(".tmp-")
            }
            let stored = try Checkpoint.read(checkpoint)
            #expect(stored.step >= 1 && stored.parameters["l1.weight"]?.shape == [256, 34])
        }
        #expect(killedMidWrite, "no kill landed inside a checkpoint write in 5 attempts")
        let stored = try Checkpoint.read(checkpoint)
        var options = TrainingSession.Options(recipePath: recipe)
        options.outputFolder = dir + "/run"
        options.resume = true
        options.steps = stored.step + 2
        let summary = try TrainingSession(options: options, registry: trainingRegistry).run()
        #expect(summary.step == stored.step + 2)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir + "/run").filter {
            $0.contains(".tmp-")
        }
        #expect(leftovers.isEmpty)
    }
}
