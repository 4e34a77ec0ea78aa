import ScoreKitCore

// Shared fixtures for the configuration and registry suites.

/// A location in the imaginary recipe the tests read.
func at(_ line: Int, _ column: Int) -> SourceLocation {
    SourceLocation(file: "recipes/a.yaml", line: line, column: column)
}

/// A loss weighting, as configurations spell modes: an enumeration with `String` raw values.
enum FixtureWeighting: String, Codable, CaseIterable, Sendable {
    case likelihood, simple, snr
}

/// A nested structure inside a configuration.
struct FixtureOptimizer: Codable, Equatable, Sendable {
    var learningRate = 1e-3
    var betas = [0.9, 0.999]
}

/// A configuration with every kind of field the decoder must handle.
struct FixtureConfiguration: ComponentConfiguration, Equatable {
    var churn = 0.0
    var steps = 18
    var name = "default"
    var enabled = true
    var weighting = FixtureWeighting.likelihood
    var hiddenWidths = [64, 64]
    var optimizer = FixtureOptimizer()

    init() {}

    func validate() throws(ConfigurationError) {
        guard churn >= 0 else {
            throw .outOfRange(key: "churn", value: "\(churn)", expected: "a number ≥ 0")
        }
        guard optimizer.learningRate > 0 else {
            throw .outOfRange(
                key: "optimizer.learningRate", value: "\(optimizer.learningRate)", expected: "a number > 0")
        }
    }
}

/// The family the registry tests make; stands in for `any Sampler`.
protocol FixtureSampler: Sendable {
    var label: String { get }
}

/// The family of losses; stands in for `any Loss`.
protocol FixtureLoss: Sendable {}

extension ComponentKind where Product == any FixtureSampler {
    static var fixtureSampler: Self { Self("sampler") }
}

extension ComponentKind where Product == any FixtureLoss {
    static var fixtureLoss: Self { Self("loss") }
}

struct HeunFixture: FixtureSampler, RegisteredComponent {
    struct Configuration: ComponentConfiguration {
        var churn = 0.0
        init() {}
        func validate() throws(ConfigurationError) {
            guard churn >= 0 else {
                throw .outOfRange(key: "churn", value: "\(churn)", expected: "a number ≥ 0")
            }
        }
    }

    static let id: ComponentID = "heun"
    static let summary = "Heun's 2nd-order probability-flow sampler"
    let configuration: Configuration
    init(configuration: Configuration) { self.configuration = configuration }
    var label: String { "heun churn=\(configuration.churn)" }
}

struct EulerFixture: FixtureSampler, RegisteredComponent {
    struct Configuration: ComponentConfiguration {}

    static let id: ComponentID = "euler"
    static let summary = "Euler's method on the probability-flow ODE"
    init(configuration: Configuration) {}
    var label: String { "euler" }
}

struct DDIMFixture: FixtureSampler, RegisteredComponent {
    struct Configuration: ComponentConfiguration {
        var eta = 0.0
        var steps = 50
        init() {}
    }

    static let id: ComponentID = "ddim"
    static let summary = "Denoising diffusion implicit models"
    let eta: Double

    /// Checks `eta` here rather than in `validate()`, to test errors thrown by initializers.
    init(configuration: Configuration) throws(ConfigurationError) {
        guard configuration.eta <= 1 else {
            throw .outOfRange(key: "eta", value: "\(configuration.eta)", expected: "a number ≤ 1")
        }
        eta = configuration.eta
    }

    var label: String { "ddim eta=\(eta)" }
}

struct DenoisingScoreMatchingFixture: FixtureLoss, RegisteredComponent {
    struct Configuration: ComponentConfiguration {
        var timeDistribution = "uniform"
        var weighting = FixtureWeighting.likelihood
        init() {}
    }

    static let id: ComponentID = "denoising-score-matching"
    static let summary = "Denoising score matching"
    init(configuration: Configuration) {}
}

/// The registry every registry test starts from.
func fixtureRegistry() -> ComponentRegistry {
    var registry = ComponentRegistry()
    registry.register(HeunFixture.self, as: .fixtureSampler) { $0 }
    registry.register(EulerFixture.self, as: .fixtureSampler) { $0 }
    registry.register(DDIMFixture.self, as: .fixtureSampler) { $0 }
    registry.register(DenoisingScoreMatchingFixture.self, as: .fixtureLoss) { $0 }
    return registry
}
