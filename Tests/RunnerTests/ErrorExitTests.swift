import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// What a user gets wrong, run through the built `scorekit`: every case exits with status 1 and
/// one paragraph on standard error that starts with the location, never a crash or a trace.
/// Skipped when the binary was not built, except under CI, where that fails instead.
@Suite("scorekit errors", .serialized, .enabled(if: scorekitBinaryTestsEnabled))
struct ErrorExitTests {
    /// One mistake: the files it needs, the command, and how the message must start.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var files: [String: [UInt8]]
        var arguments: [String]
        var start: String
        var testDescription: String { name }
    }

    /// A recipe that trains on `data` and samples.
    static func recipe(data: String = "{ kind: ring, count: 200 }") -> [UInt8] {
        Array(
            (tinyRecipe(steps: 2, data: data)
                + "timeGrid: { kind: uniform, steps: 5, finalStep: toZero }\nsampler: { kind: euler }\n").utf8)
    }

    /// A checkpoint of the tiny recipe after one step.
    static let checkpoint: [UInt8] = {
        guard let trainer = try? Trainer(plan: TrainingPlan(recipe: resolveTraining(tinyRecipe()))) else { return [] }
        let state = trainer.initialState()
        return Checkpoint(state: state, plan: trainer.plan, recipe: "").file.encoded()
    }()

    static let cases: [Case] = [
        Case(
            name: "misspelled kind", files: ["r.yaml": Array("sde: { kind: variance-preservng }\n".utf8)],
            arguments: ["validate", "r.yaml"], start: "r.yaml:1:14: error: unknown sde 'variance-preservng'"),
        Case(
            name: "misspelled key",
            files: ["r.yaml": Array("sde: { kind: variance-preserving, betaMni: 0.1 }\n".utf8)],
            arguments: ["validate", "r.yaml"],
            start: "r.yaml:1:35: error: unknown key 'betaMni' for sde 'variance-preserving'"),
        Case(
            name: "wrong type",
            files: ["r.yaml": Array("sde: { kind: edm }\nnetwork: { kind: mlp, hiddenWidths: 128 }\n".utf8)],
            arguments: ["validate", "r.yaml"],
            start: "r.yaml:2:37: error: expected a sequence for 'network.hiddenWidths', found the integer 128"),
        Case(
            name: "out-of-range value",
            files: ["r.yaml": Array("sde: { kind: edm }\noptimizer: { kind: adam, beta1: 1.5 }\n".utf8)],
            arguments: ["validate", "r.yaml"],
            start: "r.yaml:2:33: error: value 1.5 for 'optimizer.beta1' is out of range"),
        Case(
            name: "out-of-range override", files: ["r.yaml": recipe()],
            arguments: ["train", "r.yaml", "--set", "training.batchSize=0"],
            start: "--set 'training.batchSize=0':1:20: error: value 0 for 'training.batchSize' is out of range"),
        Case(
            name: "missing recipe", files: [:], arguments: ["train", "none.yaml"],
            start: "error: no recipe file at 'none.yaml'"),
        Case(
            name: "missing data file", files: ["r.yaml": recipe(data: "{ kind: npy, path: none.npy }")],
            arguments: ["train", "r.yaml"], start: "none.npy: error: no .npy data file at this path"),
        Case(
            name: "malformed .npy",
            files: [
                "r.yaml": recipe(data: "{ kind: npy, path: x.npy }"),
                "x.npy": Array(NumPyFile.encode(Tensor([1, 2, 3, 4], shape: [2, 2])).dropLast(4)),
            ],
            arguments: ["train", "r.yaml"], start: "x.npy: error: not a valid .npy file"),
        Case(
            name: "malformed .csv",
            files: ["r.yaml": recipe(data: "{ kind: csv, path: x.csv }"), "x.csv": Array("1,2\n3,abc\n".utf8)],
            arguments: ["train", "r.yaml"], start: "x.csv:2:2: error: 'abc' is not a number"),
        Case(
            name: "malformed IDX",
            files: [
                "r.yaml": recipe(data: "{ kind: idx, path: x-idx3-ubyte }"),
                "x-idx3-ubyte": DataFileTests.idxFile(shape: [10, 28, 28], payload: [1, 2, 3]),
            ],
            arguments: ["train", "r.yaml"], start: "x-idx3-ubyte: error: not a valid IDX file"),
        Case(
            name: "truncated checkpoint",
            files: ["r.yaml": recipe(), "c.safetensors": Array(checkpoint.prefix(checkpoint.count / 2))],
            arguments: ["sample", "r.yaml", "--checkpoint", "c.safetensors", "--count", "2"],
            start: "c.safetensors: error: not a valid safetensors file"),
        Case(
            name: "corrupted checkpoint header",
            files: [
                "r.yaml": recipe(),
                "c.safetensors": Array(checkpoint.prefix(8)) + [UInt8](repeating: 0x7B, count: 100)
                    + Array(checkpoint.dropFirst(108)),
            ],
            arguments: ["sample", "r.yaml", "--checkpoint", "c.safetensors", "--count", "2"],
            start: "c.safetensors: error: not a valid safetensors file"),
        Case(
            name: "checkpoint of another file format",
            files: ["r.yaml": recipe(), "c.safetensors": Array("not a checkpoint at all".utf8)],
            arguments: ["sample", "r.yaml", "--checkpoint", "c.safetensors"],
            start: "c.safetensors: error: not a valid safetensors file"),
    ]

    @Test("exit status 1 and one located paragraph", arguments: cases)
    func oneParagraph(_ mistake: Case) throws {
        let dir = try folder(with: mistake.files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try runScorekit(mistake.arguments, in: dir)
        #expect(run.status == 1, "status \(run.status): \(run.standardError)")
        #expect(run.standardError.hasPrefix(mistake.start), "\(run.standardError)")
        let text = run.standardError.trimmingCharacters(in: .newlines)
        #expect(!text.isEmpty && !text.contains("\n\n"), "not one paragraph: \(run.standardError)")
        for trace in ["Fatal error", "Stack dump", "Current stack trace", "Illegal instruction", "0x0000"] {
            #expect(!run.standardError.contains(trace))
        }
        #expect(text.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("  ") }, "\(run.standardError)")
    }

    @Test("scorekit validate accepts every recipe in recipes/")
    func validateEveryRecipe() throws {
        let files = RecipeFilesTests.files.map { "recipes/" + $0 }
        #expect(files.count >= 18)
        let run = try runScorekit(["validate"] + files, in: TrainCommandTests.repository.path)
        #expect(run.status == 0, "\(run.standardError)")
    }
}
