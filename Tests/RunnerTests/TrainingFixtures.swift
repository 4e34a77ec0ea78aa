import Foundation
import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import ScoreKitRunner
import ScoreKitSDEs
import Testing

// Fixtures for the data, training, checkpoint and `train` suites: the registry the `scorekit`
// command builds (samplers aside), a tiny recipe, files in temporary folders, and the path of
// the built `scorekit` binary.

/// Processes, losses, networks, optimizers and data sets, as `scorekit` registers them.
let trainingRegistry = ComponentRegistry.standard()

/// A small NCSN recipe that trains in well under a second: VE, score target, noise levels,
/// an MLP of two 32-wide layers, Adam with cosine decay, clipping and EMA.
func tinyRecipe(
    steps: Int = 120, data: String = "{ kind: ring, count: 2000 }",
    network: String = "hiddenWidths: [32, 32], embeddingWidth: 8",
    optimizer: String = "{ kind: adam }", training: String = "", seed: Int = 3
) -> String {
    """
    sde:              { kind: variance-exploding, sigmaMin: 0.01, sigmaMax: 10 }
    parameterization: { kind: score }
    loss:             { kind: denoising-score-matching, timeDistribution: noiseLevels, levelCount: 12, sigmaMax: 10, sigmaMin: 0.01 }
    network:          { kind: mlp, \(network) }
    optimizer:        \(optimizer)
    data:             \(data)
    training:
      steps: \(steps)
      batchSize: 64
      learningRate: 1e-3
      learningRateSchedule: { kind: cosine, floor: 0.01 }
      gradientClipNorm: 1
      ema: { decay: 0.99 }
      logEvery: 20
      checkpointEvery: 60
    \(training.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
    seed: \(seed)

    """
}

/// `yaml` resolved with `trainingRegistry`.
func resolveTraining(_ yaml: String, overrides: [String] = []) throws -> ResolvedRecipe {
    let parsed = try overrides.map { text throws(ConfigurationError) in try ConfigurationOverride(parsing: text) }
    return try Recipe(yaml: yaml, source: recipeFile).applying(parsed).resolve(with: trainingRegistry)
}

/// The error resolving `yaml` with `trainingRegistry` throws, or `nil`.
func trainingResolutionError(_ yaml: String) -> RecipeError? {
    do {
        _ = try resolveTraining(yaml)
        return nil
    } catch {
        return error as? RecipeError
    }
}

/// The data set a `data:` mapping (flow YAML) makes, prepared.
func prepareData(_ section: String) throws -> TrainingData {
    let recipe = try resolveTraining("sde: { kind: variance-exploding }\ndata: \(section)\n")
    let specification = try #require(recipe.dataSpecification)
    return try TrainingData.prepare(specification)
}

/// The error preparing a `data:` mapping throws, or `nil` if it loads.
func dataError(_ section: String) throws -> DataError? {
    do {
        _ = try prepareData(section)
        return nil
    } catch let error as DataError {
        return error
    }
}

/// A temporary folder holding `files` (name → bytes); removed by the caller.
func folder(with files: [String: [UInt8]] = [:]) throws -> String {
    let path = try temporaryFolder()
    for (name, bytes) in files {
        try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + name))
    }
    return path
}

/// Writes `recipe` as `name` into `folder` and returns its path.
func writeRecipe(_ recipe: String, named name: String = "tiny.yaml", in folder: String) throws -> String {
    let path = folder + "/" + name
    try recipe.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Every tensor of the safetensors file at `path`, by name.
func tensors(at path: String) throws -> [String: Tensor] {
    try SafeTensorsFile.read(path).tensors
}

/// Whether two sets of tensors are equal bit for bit, names and shapes included.
func bitwiseEqual(_ a: [String: Tensor], _ b: [String: Tensor]) -> Bool {
    guard Set(a.keys) == Set(b.keys) else { return false }
    return a.allSatisfy { name, x in
        guard let y = b[name], x.shape == y.shape else { return false }
        return x.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern)
    }
}

/// The `scorekit` executable built beside the test bundle (the build folder's products), or
/// `nil` if it was not built.
let scorekitBinary: String? = {
    var candidates: [URL] = []
    if let executable = Bundle.main.executableURL { candidates.append(executable) }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments.first ?? ""))
    if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        candidates.append(URL(fileURLWithPath: resolved))
    }
    for candidate in candidates {
        var folder = candidate.deletingLastPathComponent()
        for _ in 0..<4 {
            let binary = folder.appendingPathComponent("scorekit").path
            if FileManager.default.isExecutableFile(atPath: binary) { return binary }
            folder = folder.deletingLastPathComponent()
        }
    }
    return nil
}()

/// Runs the `scorekit` binary with `arguments`; returns its exit status and standard error.
func runScorekit(_ arguments: [String], in directory: String) throws -> (status: Int32, standardError: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(scorekitBinary))
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let data = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
