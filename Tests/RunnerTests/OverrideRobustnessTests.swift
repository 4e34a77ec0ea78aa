import Foundation
import Testing

/// `--set` mistakes run through the built `scorekit`, in every command that takes overrides:
/// each is refused with status 1, quickly and cheaply, and the message starts at the override,
/// located in its own text (`--set 'path=value':line:column:`) as a file's value would be.
@Suite("--set errors located", .serialized, .tags(.robustness), .enabled(if: scorekitBinaryTestsEnabled))
struct OverrideRobustnessTests {
    /// One command with one mistaken override, and how its message must start (literally).
    struct Probe: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var override: String
        var start: String
        /// Files besides `r.yaml`.
        var files: [String: [UInt8]] = [:]
        var testDescription: String { "\(arguments.prefix(2).joined(separator: " ")) --set \(override.prefix(60))" }
    }

    /// A recipe that trains and samples (`ErrorExitTests.recipe()`).
    static let trainRecipe = ErrorExitTests.recipe()
    /// A recipe whose model needs no training, for the commands that use one.
    static let exactRecipe = Array(smallExactRecipe.utf8)
    /// 50,000 widths, the last one not a number: 100 kB, within one argument's limit.
    static let longWidths = "network.hiddenWidths=[" + String(repeating: "1,", count: 50_000) + "x]"

    static let trainingProbes: [Probe] = [
        Probe(
            arguments: ["validate", "r.yaml"], override: "training.batchSize=abc",
            start:
                "--set 'training.batchSize=abc':1:20: error: expected an integer for 'training.batchSize', found the string 'abc'"
        ),
        Probe(
            arguments: ["validate", "r.yaml"], override: "network=5",
            start:
                "--set 'network=5':1:9: error: expected a mapping with a 'kind' key for 'network', found the integer 5"),
        Probe(
            arguments: ["validate", "r.yaml"], override: "sampler={kind: nope}",
            start: "--set 'sampler={kind: nope}':1:16: error: unknown sampler 'nope'\n  known samplers: "),
        Probe(
            arguments: ["validate", "r.yaml"], override: "a.b.c.d.e=1",
            start: "--set 'a.b.c.d.e=1':1:1: error: unknown top-level key 'a'\n  valid keys: "),
        Probe(
            arguments: ["validate", "r.yaml"], override: "smapler.kind=heun",
            start: "--set 'smapler.kind=heun':1:1: error: unknown top-level key 'smapler'\n  valid keys: "),
        Probe(
            arguments: ["validate", "r.yaml"], override: "sde.sigmaMni=0.1",
            start: "--set 'sde.sigmaMni=0.1':1:5: error: unknown key 'sigmaMni' for sde 'variance-exploding'\n"),
        Probe(
            arguments: ["validate", "r.yaml"], override: "network.hiddenWidths=[64, x]",
            start:
                "--set 'network.hiddenWidths=[64, x]':1:27: error: expected an integer for 'network.hiddenWidths.1', found the string 'x'"
        ),
        Probe(
            arguments: ["validate", "r.yaml"], override: longWidths,
            start:
                "--set '\(longWidths.prefix(80))…':1:100023: error: expected an integer for 'network.hiddenWidths.50000'"
        ),
        Probe(
            arguments: ["train", "r.yaml", "--out", "run"], override: "training.batchSize=0",
            start: "--set 'training.batchSize=0':1:20: error: value 0 for 'training.batchSize' is out of range"),
        Probe(
            arguments: ["train", "r.yaml", "--out", "run"], override: "optimizer.kind=adma",
            start: "--set 'optimizer.kind=adma':1:16: error: unknown optimizer 'adma'\n"),
    ]

    static let exactProbes: [Probe] = [
        Probe(
            arguments: ["sample", ".", "--count", "2"], override: "sampler.kind=heun2",
            start: "--set 'sampler.kind=heun2':1:14: error: unknown sampler 'heun2'\n",
            files: ["resolved-recipe.yaml": exactRecipe]),
        Probe(
            arguments: ["sample", "r.yaml", "--count", "2"], override: "sampler.kind=heun2",
            start: "--set 'sampler.kind=heun2':1:14: error: unknown sampler 'heun2'\n"),
        Probe(
            arguments: ["sample", "r.yaml", "--count", "2"], override: "timeGrid={kind: uniform, steps: -4}",
            start:
                "--set 'timeGrid={kind: uniform, steps: -4}':1:33: error: value -4 for 'timeGrid.steps' is out of range"
        ),
        Probe(
            arguments: ["plot", "r.yaml", "--out", "pictures"], override: "seed=x",
            start: "--set 'seed=x':1:6: error: expected an integer for 'seed', found the string 'x'"),
        Probe(
            arguments: ["likelihood", "r.yaml"], override: "likelihood.probeCount=many",
            start: "--set 'likelihood.probeCount=many':1:23: error: expected an integer for 'likelihood.probeCount'"),
        Probe(
            arguments: ["evaluate", "r.yaml", "--samples", "x.npy"], override: "data.count=-1",
            start: "--set 'data.count=-1':1:12: error: value -1 for 'data.count' is out of range"),
    ]

    @Test("a mistaken --set is refused at the override", arguments: trainingProbes + exactProbes)
    func locatedAtTheOverride(_ probe: Probe) throws {
        let recipe =
            probe.arguments.first == "validate" || probe.arguments.first == "train"
            ? Self.trainRecipe : Self.exactRecipe
        let dir = try folder(with: probe.files.merging(["r.yaml": recipe]) { $1 })
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try runMeasured(probe.arguments + ["--set", probe.override], in: dir)
        RobustnessTests.checkRefusal(
            run, start: NSRegularExpression.escapedPattern(for: probe.start), what: probe.testDescription)
    }

    @Test("the file's errors come first, at the file; then the override's, at the override")
    func fileThenOverride() throws {
        let recipe = Array(
            String(decoding: Self.trainRecipe, as: UTF8.self).replacingOccurrences(
                of: "kind: euler", with: "kind: eulr"
            )
            .utf8)
        let dir = try folder(with: ["r.yaml": recipe])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try runMeasured(["validate", "r.yaml", "--set", "seed=x"], in: dir)
        RobustnessTests.checkRefusal(
            run, start: #"r\.yaml:\d+:\d+: error: unknown sampler 'eulr'"#, what: "file then override")
        #expect(
            run.standardError.contains("\n--set 'seed=x':1:6: error: expected an integer for 'seed'"),
            "\(run.standardError)")
    }
}
