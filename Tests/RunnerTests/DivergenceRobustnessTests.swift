import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// Diverging runs and non-finite checkpoints, through the built `scorekit`: exit status 1 (never
/// a signal), a message naming the step or the file and tensor, within 5 s and 300 MB, and the
/// checkpoints from before the divergence left as they were.
@Suite(
    "divergence robustness", .serialized, .tags(.robustness), .enabled(if: scorekitBinaryTestsEnabled))
struct DivergenceRobustnessTests {
    /// A folder holding the small training recipe as `r.yaml`.
    static func recipeFolder() throws -> String {
        try folder(with: ["r.yaml": ErrorExitTests.recipe()])
    }

    /// Runs `arguments` in `dir`, requiring exit status 0.
    static func succeed(_ arguments: [String], in dir: String) throws {
        let run = try runMeasured(arguments + ["--quiet"], in: dir)
        try #require(run.status == 0, "\(arguments): status \(run.status): \(run.standardError.prefix(2_000))")
    }

    /// The bytes of the file at `path`.
    static func bytes(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// The checkpoint at `path` with `count` values of tensor `name` of `group` set to `value`,
    /// from index 17 on, every other index.
    static func spoil(
        _ path: String, group: Checkpoint.TensorGroup, name: String, value: Float, count: Int = 3
    ) throws {
        var checkpoint = try Checkpoint.read(path)
        func spoiled(_ tensor: Tensor?) throws -> Tensor {
            let tensor = try #require(tensor, "no tensor \(group.rawValue)\(name) in \(path)")
            var values = tensor.scalars
            for k in 0..<count { values[17 + 2 * k] = value }
            return Tensor(values, shape: tensor.shape)
        }
        switch group {
        case .model: checkpoint.parameters[name] = try spoiled(checkpoint.parameters[name])
        case .average: checkpoint.average[name] = try spoiled(checkpoint.average[name])
        case .optimizer: checkpoint.optimizer[name] = try spoiled(checkpoint.optimizer[name])
        }
        try checkpoint.write(to: path)
    }

    @Test("issue 15 item 7: tiny-ring at learning rate 100 without clipping stops at step 2 and saves nothing")
    func tinyRingDiverges() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = TrainCommandTests.repository.path + "/recipes/tiny-ring.yaml"
        let run = try runMeasured(
            [
                "train", recipe, "--out", "run", "--set", "training.learningRate=100", "--set",
                "training.gradientClipNorm=.inf", "--quiet",
            ], in: dir)
        RobustnessTests.checkRefusal(
            run,
            start: #"error: training diverged at step 2 of 2000 \([0-9.]+ s after the start\): after the update, "#
                + #"tensor 'optimizer\.adam\.v\.[a-z0-9.]+' holds \d+ non-finite values? \(first at index \d+: inf\)"#,
            what: "tiny-ring at learning rate 100")
        #expect(run.standardError.contains("\n  loss "), "\(run.standardError)")
        #expect(run.standardError.contains(", running median "), "\(run.standardError)")
        #expect(run.standardError.contains("nothing was saved: run holds no checkpoint"), "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/run/checkpoint.safetensors"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/run/checkpoint-final.safetensors"))
    }

    @Test("learning rate 100 with a checkpoint every step: exit 1, step, loss, median; the checkpoint kept is finite")
    func divergenceKeepsFiniteCheckpoint() throws {
        let dir = try Self.recipeFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try runMeasured(
            [
                "train", "r.yaml", "--out", "run", "--steps", "50", "--set", "training.learningRate=100", "--set",
                "training.gradientClipNorm=.inf", "--set", "training.checkpointEvery=1", "--quiet",
            ], in: dir)
        RobustnessTests.checkRefusal(
            run, start: #"error: training diverged at step (\d+) of 50 \([0-9.]+ s after the start\): "#,
            what: "learning rate 100")
        let text = run.standardError
        #expect(
            text.range(
                of: #"\n  loss [-+0-9.e]+, running median [-+0-9.e]+ over the last"#, options: .regularExpression)
                != nil, "\(text)")
        let kept = try #require(
            text.firstMatch(of: /the checkpoint of step (\d+) is kept: run\/checkpoint\.safetensors/), "\(text)")
        let failed = try #require(text.firstMatch(of: /diverged at step (\d+) of 50/))
        #expect(Int(kept.1)! == Int(failed.1)! - 1)
        let checkpoint = try Checkpoint.read(dir + "/run/checkpoint.safetensors")
        #expect(checkpoint.step == Int(kept.1)!)
        #expect(checkpoint.firstNonFiniteTensor() == nil)
        #expect(!FileManager.default.fileExists(atPath: dir + "/run/checkpoint-final.safetensors"))
    }

    @Test("issue 15 item 8: a resume at learning rate 1e8 keeps the checkpoint from before it, bit for bit")
    func resumeKeepsCheckpoint() throws {
        let dir = try Self.recipeFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.succeed(["train", "r.yaml", "--out", "run", "--steps", "4"], in: dir)
        let before = try Self.bytes(dir + "/run/checkpoint.safetensors")
        let weights = try tensors(at: dir + "/run/checkpoint.safetensors")
        let run = try runMeasured(
            ["train", "run", "--resume", "--steps", "10", "--set", "training.learningRate=1e8", "--quiet"], in: dir)
        RobustnessTests.checkRefusal(
            run, start: #"error: training diverged at step ([5-9]|10) of 10 \([0-9.]+ s after the start\): "#,
            what: "resume at learning rate 1e8")
        #expect(
            run.standardError.contains(
                "the checkpoint of step 4 is kept: run/checkpoint.safetensors; nothing after step 4"),
            "\(run.standardError)")
        #expect(try Self.bytes(dir + "/run/checkpoint.safetensors") == before)
        #expect(bitwiseEqual(try tensors(at: dir + "/run/checkpoint.safetensors"), weights))
        #expect(!FileManager.default.fileExists(atPath: dir + "/run/checkpoint.previous.safetensors"))
    }

    @Test(
        "a resume from a checkpoint with a non-finite tensor is refused, naming the file and the tensor",
        arguments: [
            (Checkpoint.TensorGroup.average, "l1.weight", Float.nan, "nan"),
            (.optimizer, "adam.v.l1.weight", .infinity, "inf"),
            (.model, "l2.weight", -.infinity, "-inf"),
        ])
    func nonFiniteResume(group: Checkpoint.TensorGroup, name: String, value: Float, printed: String) throws {
        let dir = try Self.recipeFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.succeed(["train", "r.yaml", "--out", "run", "--steps", "4"], in: dir)
        try Self.spoil(dir + "/run/checkpoint.safetensors", group: group, name: name, value: value)
        let files = ["checkpoint.safetensors", "resolved-recipe.yaml", "metrics.jsonl"].map { dir + "/run/" + $0 }
        let before = try files.map(Self.bytes)
        let run = try runMeasured(["train", "run", "--resume", "--steps", "8"], in: dir)
        let tensor = NSRegularExpression.escapedPattern(for: group.rawValue + name)
        RobustnessTests.checkRefusal(
            run,
            start: #"run/checkpoint\.safetensors: error: tensor '"# + tensor
                + #"' holds 3 non-finite values \(first at index 17: "# + printed
                + #"\)\n  a run resumes only from finite"#,
            what: "resume from \(group.rawValue)\(name) = \(printed)")
        #expect(try files.map(Self.bytes) == before)
    }

    @Test("issue 15 item 10: sample from a checkpoint with NaN weights names the tensor, not the time grid")
    func nonFiniteSample() throws {
        let dir = try Self.recipeFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.succeed(["train", "r.yaml", "--out", "run", "--steps", "4"], in: dir)
        try Self.spoil(dir + "/run/checkpoint-final.safetensors", group: .average, name: "l1.weight", value: .nan)
        let averaged = try runMeasured(["sample", "run", "--count", "4", "--out", "s.npy"], in: dir)
        RobustnessTests.checkRefusal(
            averaged,
            start: #"run/checkpoint-final\.safetensors: error: tensor 'ema\.l1\.weight' holds 3 non-finite values "#
                + #"\(first at index 17: nan\)\n  the network is built only from finite weights"#,
            what: "sample from NaN EMA weights")
        #expect(!averaged.standardError.contains("timeGrid"))
        try Self.spoil(dir + "/run/checkpoint-final.safetensors", group: .model, name: "l2.bias", value: .nan, count: 1)
        let raw = try runMeasured(
            [
                "sample", "run", "--count", "4", "--out", "s.npy", "--raw-weights", "--checkpoint",
                "run/checkpoint-final.safetensors",
            ],
            in: dir)
        RobustnessTests.checkRefusal(
            raw,
            start: #"run/checkpoint-final\.safetensors: error: tensor 'model\.l2\.bias' holds 1 non-finite value "#,
            what: "sample from NaN raw weights")
        #expect(!FileManager.default.fileExists(atPath: dir + "/s.npy"))
    }

    @Test("issue 15 item 11: --resume --steps never rewrites resolved-recipe.yaml; below the checkpoint it is refused")
    func resumeStepsKeepsRecipe() throws {
        let dir = try Self.recipeFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.succeed(["train", "r.yaml", "--out", "run", "--steps", "6"], in: dir)
        let files = ["resolved-recipe.yaml", "checkpoint.safetensors", "metrics.jsonl"].map { dir + "/run/" + $0 }
        let before = try files.map(Self.bytes)
        let refused = try runMeasured(["train", "run", "--resume", "--steps", "3"], in: dir)
        RobustnessTests.checkRefusal(
            refused,
            start:
                #"run/checkpoint\.safetensors: error: the checkpoint is at step 6, past the run's length of 3 steps"#,
            what: "--resume --steps 3 at step 6")
        #expect(try files.map(Self.bytes) == before)
        try Self.succeed(["train", "r.yaml", "--out", "run", "--resume", "--steps", "8"], in: dir)
        #expect(try Self.bytes(files[0]) == before[0])
        #expect(try Checkpoint.read(dir + "/run/checkpoint-final.safetensors").step == 8)
    }
}
