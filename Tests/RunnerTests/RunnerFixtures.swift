import Foundation
import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import ScoreKitRunner
import ScoreKitSDEs
import Testing

// Shared fixtures for the recipe suites: a registry with the real losses, networks and
// optimizers, plus two small processes and two prediction targets defined here, so that the
// recipe layer is tested apart from the SDEs module's choices.

/// The file name every in-memory recipe reports.
let recipeFile = "recipes/test.yaml"

/// A location in `recipeFile`.
func at(_ line: Int, _ column: Int) -> ScoreKitCore.SourceLocation {
    ScoreKitCore.SourceLocation(file: recipeFile, line: line, column: column)
}

/// Parses `yaml` as `recipeFile`.
func parse(_ yaml: String) throws(RecipeError) -> ConfigurationValue {
    try YAMLLoader.parse(yaml, file: recipeFile)
}

/// Resolves `yaml` against `fixtureRegistry` with `overrides`.
func resolve(_ yaml: String, overrides: [String] = []) throws -> ResolvedRecipe {
    let parsed = try overrides.map { text throws(ConfigurationError) in try ConfigurationOverride(parsing: text) }
    return try Recipe(yaml: yaml, source: recipeFile).applying(parsed).resolve(with: fixtureRegistry)
}

/// The error resolving `yaml` throws, or `nil` if it resolves.
func resolutionError(_ yaml: String, overrides: [String] = []) -> RecipeError? {
    do {
        _ = try resolve(yaml, overrides: overrides)
        return nil
    } catch let error as RecipeError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// Every component as the `scorekit` command registers them.
let standardRegistry = ComponentRegistry.standard()

/// Losses, networks and optimizers as the CLI registers them, and the fixtures below.
let fixtureRegistry: ComponentRegistry = {
    var registry = ComponentRegistry.standard().keeping(familiesNamed: ["loss", "network", "optimizer"])
    registry.register(sde: FixtureExplodingSDE.self)
    registry.register(sde: FixtureInterpolantSDE.self)
    registry.register(parameterization: FixtureEpsilon.self)
    registry.register(parameterization: FixtureDenoised.self)
    return registry
}()

/// α = 1, σ = σ_min·(σ_max/σ_min)ᵗ on [0, 1]: a variance-exploding process.
struct FixtureExplodingSDE: ForwardSDE, RegisteredComponent {
    struct Configuration: ComponentConfiguration {
        var sigmaMin = 0.01
        var sigmaMax = 50.0
        init() {}
        func validate() throws(ConfigurationError) {
            guard sigmaMin > 0 else {
                throw .outOfRange(key: "sigmaMin", value: "\(sigmaMin)", expected: "a number > 0")
            }
            guard sigmaMax > sigmaMin else {
                throw .outOfRange(key: "sigmaMax", value: "\(sigmaMax)", expected: "a number > sigmaMin")
            }
        }
    }

    static let id: ComponentID = "fixture-exploding"
    static let summary = "Test process: α = 1, geometric σ"
    let configuration: Configuration
    init(configuration: Configuration) { self.configuration = configuration }

    var timeRange: ClosedRange<Double> { 0...1 }

    func marginal(at time: Double) -> Marginal {
        let ratio = configuration.sigmaMax / configuration.sigmaMin
        let sigma = configuration.sigmaMin * pow(ratio, time)
        return Marginal(
            signalScale: 1, noiseScale: sigma, signalScaleDerivative: 0, noiseScaleDerivative: sigma * log(ratio))
    }

    func time(forLogSignalToNoiseRatio logSignalToNoiseRatio: Double) -> Double {
        (-0.5 * logSignalToNoiseRatio - log(configuration.sigmaMin))
            / log(configuration.sigmaMax / configuration.sigmaMin)
    }
}

/// α = 1 − t, σ = t on [0, 1]: the signal vanishes at t = 1.
struct FixtureInterpolantSDE: ForwardSDE, RegisteredComponent {
    struct Configuration: ComponentConfiguration {}
    static let id: ComponentID = "fixture-interpolant"
    static let summary = "Test process: α = 1 − t, σ = t"
    init(configuration: Configuration) {}

    var timeRange: ClosedRange<Double> { 0...1 }

    func marginal(at time: Double) -> Marginal {
        Marginal(signalScale: 1 - time, noiseScale: time, signalScaleDerivative: -1, noiseScaleDerivative: 1)
    }

    func time(forLogSignalToNoiseRatio logSignalToNoiseRatio: Double) -> Double {
        1 / (1 + exp(0.5 * logSignalToNoiseRatio))
    }
}

/// ε-prediction: c_skip = 1/α, c_out = −σ/α.
struct FixtureEpsilon: Parameterization, RegisteredComponent {
    struct Configuration: ComponentConfiguration {}
    static let id: ComponentID = "fixture-epsilon"
    static let summary = "Test target: the noise"
    init(configuration: Configuration) {}

    func preconditioning(for marginal: Marginal) -> Preconditioning {
        Preconditioning(skipScale: 1 / marginal.signalScale, outputScale: -marginal.noiseScale / marginal.signalScale)
    }
}

/// x₀-prediction: c_skip = 0, c_out = 1.
struct FixtureDenoised: Parameterization, RegisteredComponent {
    struct Configuration: ComponentConfiguration {}
    static let id: ComponentID = "fixture-denoised"
    static let summary = "Test target: the clean data"
    init(configuration: Configuration) {}

    func preconditioning(for marginal: Marginal) -> Preconditioning {
        Preconditioning(skipScale: 0, outputScale: 1)
    }
}

/// A folder of its own under the system's temporary folder, removed by the caller.
func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "scorekit-runner-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A recipe whose model needs no training (the exact score of a ring, 200 points), 10 Euler
/// steps: what the suites that drive the built `scorekit` sample, encode and decode.
let smallExactRecipe = """
    sde:              { kind: variance-preserving, betaMin: 0.1, betaMax: 20 }
    parameterization: { kind: epsilon }
    network:          { kind: exact-mixture }
    data:             { kind: ring, count: 200 }
    timeGrid:         { kind: uniform, steps: 10, endTime: 1e-3, finalStep: toZero }
    sampler:          { kind: euler }
    seed: 0

    """
