import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// Every integer a shipped recipe holds, set to 10¹², through the built `scorekit`: `validate`
/// refuses it, located, or accepts a value that allocates nothing in proportion to it (a loop
/// count, a seed) and that `train` then runs without growing; recipes that fit each ceiling
/// but not together are refused by the memory estimate.
@Suite("robustness: sizes", .serialized, .tags(.robustness), .enabled(if: scorekitBinaryTestsEnabled))
struct SizeRobustnessTests {
    static let huge = "1000000000000"

    /// Keys whose value only counts iterations or seeds a generator: 10¹² is a long run, not a
    /// large allocation, so `validate` accepts it. Any other integer key must be refused.
    static let iterationKeys: Set<String> = [
        "seed", "data.seed", "training.steps", "training.logEvery", "training.checkpointEvery",
        "training.evaluateEvery", "training.learningRateSchedule.decaySteps", "sampler.steps",
        "sampler.corrector.steps", "sampler.maximumEvaluationCount", "likelihood.solver.maximumEvaluationCount",
        "training.learningRateSchedule.warmupSteps",
    ]

    /// The integer-valued keys of `value`, as `--set` paths (sequence elements by index).
    static func integerKeys(of value: ConfigurationValue, path: String = "") -> [String] {
        if let entries = value.entries {
            return entries.flatMap { integerKeys(of: $0.value, path: path.isEmpty ? $0.key : "\(path).\($0.key)") }
        }
        if let elements = value.elements {
            return elements.enumerated().flatMap { integerKeys(of: $0.element, path: "\(path).\($0.offset)") }
        }
        return value.integerValue != nil && value.boolValue == nil ? [path] : []
    }

    /// Each shipped recipe with the integer keys of its resolved form.
    static func shippedKeys() throws -> [(recipe: String, keys: [String])] {
        let registry = ComponentRegistry.standard()
        return try RecipeFilesTests.files.map { name in
            let path = TrainCommandTests.repository.path + "/recipes/" + name
            let resolved = try Recipe.load(contentsOf: path).resolve(with: registry)
            return ("recipes/" + name, integerKeys(of: resolved.tree))
        }
    }

    @Test("10¹² for every integer key of every shipped recipe: refused and located, or harmless")
    func everyIntegerKey() throws {
        let shipped = try Self.shippedKeys()
        try #require(shipped.count >= 20)
        var probes = 0
        var accepted: Set<String> = []
        for (recipe, keys) in shipped {
            for key in keys {
                let run = try runMeasured(
                    ["validate", recipe, "--set", "\(key)=\(Self.huge)"], in: TrainCommandTests.repository.path)
                probes += 1
                let what = "validate \(recipe) --set \(key)=\(Self.huge)"
                if run.status == 0 {
                    accepted.insert(key)
                    #expect(Self.iterationKeys.contains(key), "\(what) was accepted, but \(key) is not a loop count")
                    continue
                }
                // Located in the recipe, or at the override that set the value.
                let file = NSRegularExpression.escapedPattern(for: recipe)
                let override = ".*" + NSRegularExpression.escapedPattern(for: key) + ".*"
                RobustnessTests.checkRefusal(run, start: "(\(file)|\(override)):\\d+:\\d+: error: ", what: what)
            }
        }
        #expect(probes > 200)
        #expect(accepted.isSubset(of: Self.iterationKeys))
    }

    @Test("what validate accepts at 10¹², train runs in bounded memory (stopped after 3 s)")
    func acceptedKeysTrain() throws {
        let recipe = "recipes/tiny-ring.yaml"
        for key in Self.iterationKeys.sorted() where !key.hasPrefix("sampler.") && !key.hasPrefix("likelihood.") {
            let out = try temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: out) }
            let run = try runMeasured(
                ["train", recipe, "--out", out + "/run", "--quiet", "--set", "\(key)=\(Self.huge)"],
                in: TrainCommandTests.repository.path, killAfter: 3)
            let what = "train \(recipe) --set \(key)=\(Self.huge)"
            // Finished, refused, or still training when stopped (128 + SIGKILL, after 3 s).
            let stopped = run.status == 128 + SIGKILL && run.seconds >= 3
            #expect(run.status <= 1 || stopped, "\(what): status \(run.status): \(run.standardError.prefix(2_000))")
            #expect(
                run.peakResidentBytes < RobustnessTests.memoryLimit,
                "\(what): peak RSS \(run.peakResidentBytes / 1_048_576) MB")
        }
    }

    /// Sizes each under its ceiling whose product no machine holds, and counts out of range.
    static let probes: [RobustnessTests.Probe] = [
        RobustnessTests.Probe(
            name: "100 layers of 65,536 units (8.6 TB to train)", files: ["r.yaml": RobustnessTests.trainRecipe],
            arguments: [
                "validate", "r.yaml", "--set",
                "network.hiddenWidths=[" + Array(repeating: "65536", count: 100).joined(separator: ",") + "]",
            ],
            start: #"r\.yaml:\d+:\d+: error: training would need about \d+\.\d TB of memory, more than this machine's"#),
        RobustnessTests.Probe(
            name: "100 layers of 65,536 units (train)", files: ["r.yaml": RobustnessTests.trainRecipe],
            arguments: [
                "train", "r.yaml", "--out", "run", "--set",
                "network.hiddenWidths=[" + Array(repeating: "65536", count: 100).joined(separator: ",") + "]",
            ],
            start: #"r\.yaml:\d+:\d+: error: training would need about"#),
        RobustnessTests.Probe(
            name: "sample --count 10¹²", files: ["r.yaml": RobustnessTests.exactRecipe],
            arguments: ["sample", "r.yaml", "--count", huge, "--out", "x.npy"],
            start: #"error: --count 1000000000000 is out of range; expected an integer from 1 to 268,435,456"#),
        RobustnessTests.Probe(
            name: "sample --count 0", files: ["r.yaml": RobustnessTests.exactRecipe],
            arguments: ["sample", "r.yaml", "--count", "0", "--out", "x.npy"],
            start: #"error: --count 0 is out of range"#),
        RobustnessTests.Probe(
            name: "sample --count 2²⁸ of 4,096 values (44 TB)",
            files: [
                "r.yaml": Array(
                    smallExactRecipe.replacingOccurrences(
                        of: "{ kind: ring, count: 200 }",
                        with: "{ kind: gaussian-mixture, count: 200, means: [["
                            + Array(repeating: "0", count: 4_096).joined(separator: ",") + "]] }"
                    ).utf8)
            ],
            arguments: ["sample", "r.yaml", "--count", "268435456", "--out", "x.npy"],
            start: #"r\.yaml:\d+:\d+: error: sampling would need about"#),
    ]

    @Test("sizes that fit their ceilings but not the machine, and sample counts out of range", arguments: probes)
    func refused(_ probe: RobustnessTests.Probe) throws {
        let dir = try folder(with: probe.files())
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try runMeasured(probe.arguments, in: dir)
        RobustnessTests.checkRefusal(run, start: probe.start, status: probe.status, what: probe.name)
    }
}
