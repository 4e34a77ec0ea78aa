import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// `scorekit train`: the session behind the command writes the whole run folder; the binary
/// exits with a message, never a crash.
@Suite("scorekit train", .serialized)
struct TrainCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("a tiny run writes every file of the run folder and reports typed events")
    func runFolder() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let yaml = tinyRecipe(
            steps: 200, data: "{ kind: ring, count: 2000, heldOutFraction: 0.1 }", training: "evaluateEvery: 100")
        var options = TrainingSession.Options(recipePath: try writeRecipe(yaml, in: dir))
        options.outputFolder = dir + "/run"
        var events: [TrainingEvent] = []
        let summary = try TrainingSession(options: options, registry: trainingRegistry).run { events.append($0) }
        #expect(summary.step == 200 && summary.stepsThisRun == 200 && summary.loss != nil)
        let run = RunFolder(path: dir + "/run")
        for path in [run.resolvedRecipe, run.log, run.metrics, run.checkpoint, run.finalCheckpoint] {
            #expect(FileManager.default.fileExists(atPath: path), "\(path) is missing")
        }
        let expectedTree = try resolveTraining(yaml).tree
        #expect(try YAMLLoader.load(contentsOf: run.resolvedRecipe) == expectedTree)
        let lines = try String(contentsOfFile: run.metrics, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 10)
        #expect(lines[0].hasPrefix(#"{"step":20,"loss":"#) && lines[0].contains(#""lossByTime":["#))
        #expect(lines[4].contains(#""heldOutLoss":"#) && !lines[3].contains("heldOutLoss"))
        let log = try String(contentsOfFile: run.log, encoding: .utf8)
        // Log records carry a UTC time stamp: "2026-01-31T12:00:00Z info: started …".
        #expect(log.contains("Z info: started \(dir)/tiny.yaml in \(dir)/run: step 0 of 200, "))
        #expect(log.contains("\nstep 200/200  loss ") && log.contains(" info: finished: 200 steps (200 in "))
        #expect(try Checkpoint.read(run.finalCheckpoint).step == 200)
        let steps = events.filter { if case .step = $0 { true } else { false } }.count
        let saved = events.compactMap { if case .checkpointSaved(let step, _) = $0 { step } else { nil } }
        #expect(steps == 200 && saved == [60, 120, 180, 200, 200])
        guard case .started(let start) = events.first, case .finished = events.last else {
            Issue.record("events must start with .started and end with .finished")
            return
        }
        #expect(start.step == 0 && start.stepCount == 200 && start.sampleCount == 1800)
    }

    @Test("a folder holding a run is not overwritten; --resume needs a checkpoint")
    func folderRules() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = TrainingSession.Options(recipePath: try writeRecipe(tinyRecipe(steps: 2), in: dir))
        options.outputFolder = dir + "/run"
        options.resume = true
        #expect(throws: TrainingError.nothingToResume(path: dir + "/run")) {
            try TrainingSession(options: options, registry: trainingRegistry).run()
        }
        options.resume = false
        try TrainingSession(options: options, registry: trainingRegistry).run()
        let error = #expect(throws: TrainingError.self) {
            try TrainingSession(options: options, registry: trainingRegistry).run()
        }
        #expect(
            error?.description == """
                error: the folder '\(dir)/run' already holds a run (checkpoint.safetensors)
                  pass --resume to continue it, or --out to train into another folder
                """)
        #expect(RunFolder.defaultPath(forRecipe: "recipes/ncsn-ring.yaml") == "runs/ncsn-ring")
    }

    @Test("training needs a data section")
    func missingData() throws {
        let yaml = tinyRecipe().split(separator: "\n").filter { !$0.hasPrefix("data:") }.joined(separator: "\n")
        #expect(throws: TrainingError.recipe(.missingSection(key: "data", purpose: "training"))) {
            _ = try TrainingPlan(recipe: try resolveTraining(yaml))
        }
    }

    @Test(
        "the repository's recipes resolve, data and training sections included (sampling sections aside)",
        arguments: ["ncsn-ring", "vp-epsilon-ring"])
    func recipes(name: String) throws {
        let path = Self.repository.appendingPathComponent("recipes/\(name).yaml").path
        var recipe = try Recipe.load(contentsOf: path)
        // This suite registers no samplers (the binary test below validates the whole recipe).
        recipe.tree = .mapping((recipe.tree.entries ?? []).filter { !["sampler", "timeGrid"].contains($0.key) })
        let resolved = try recipe.resolve(with: trainingRegistry)
        #expect(resolved.trainingConfiguration?.steps == 20_000 && resolved.trainingConfiguration?.batchSize == 512)
        #expect(resolved.dataSpecification?.id == "ring")
    }

    @Test(
        "scorekit validate accepts the repository's recipes",
        .enabled(
            if: scorekitBinaryTestsEnabled,
            "the scorekit binary was not found beside the test bundle; build the scorekit product"))
    func validateRecipes() throws {
        let result = try runScorekit(
            ["validate", "recipes/ncsn-ring.yaml", "recipes/vp-epsilon-ring.yaml"], in: Self.repository.path)
        #expect(result.status == 0, "\(result.standardError)")
    }

    @Test(
        "the binary trains a few steps, and exits with status 1 and one paragraph for a bad data file",
        .enabled(
            if: scorekitBinaryTestsEnabled,
            "the scorekit binary was not found beside the test bundle; build the scorekit product"))
    func binary() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try writeRecipe(tinyRecipe(steps: 30), named: "ok.yaml", in: dir)
        let ok = try runScorekit(["train", "ok.yaml", "--threads", "1"], in: dir)
        #expect(ok.status == 0 && ok.standardError.contains("done: 30 steps"))
        #expect(FileManager.default.fileExists(atPath: dir + "/runs/ok/checkpoint-final.safetensors"))
        _ = try writeRecipe(tinyRecipe(data: "{ kind: csv, path: missing.csv }"), named: "bad.yaml", in: dir)
        let bad = try runScorekit(["train", "bad.yaml", "--quiet"], in: dir)
        #expect(bad.status == 1)
        #expect(
            bad.standardError == """
                missing.csv: error: no CSV file at this path
                  paths in a recipe are read relative to the current folder

                """)
    }
}
