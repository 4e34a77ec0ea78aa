import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

extension Tag {
    /// Expensive checks (Monte Carlo simulation): still part of the default `swift test`.
    @Tag static var slow: Self
}

/// The registry of this module's components, as the composition root builds it.
let testRegistry: ComponentRegistry = {
    var registry = ComponentRegistry()
    registry.registerSDEs()
    return registry
}()

/// A forward process under test, named for test output.
struct ProcessCase: Sendable, CustomTestStringConvertible {
    let name: String
    let sde: any ForwardSDE
    var testDescription: String { name }
}

/// The process a recipe section names; the sections here are valid, so failing is a bug.
func makeSDE(_ section: ConfigurationValue) -> any ForwardSDE {
    do {
        return try testRegistry.make(.sde, from: section)
    } catch {
        preconditionFailure("\(error)")
    }
}

/// Every registered process with its defaults, and the DDPM chain's other schedules.
let allProcesses: [ProcessCase] = {
    var cases = testRegistry.ids(of: .sde).map { id in
        ProcessCase(name: id.rawValue, sde: makeSDE(["kind": .string(id.rawValue)]))
    }
    for (name, settings) in [
        (
            "ddpm scaled-linear",
            ["betaSchedule": "scaledLinear", "betaStart": 0.00085, "betaEnd": 0.012] as ConfigurationValue
        ),
        ("ddpm cosine", ["betaSchedule": "cosine"]),
        ("ddpm zero terminal SNR", ["rescale": "zeroTerminalSNR"]),
    ] {
        var entries = settings.entries ?? []
        entries.append(.init(key: "kind", value: "ddpm"))
        cases.append(ProcessCase(name: name, sde: makeSDE(.mapping(entries))))
    }
    return cases
}()

/// The registered processes with their defaults only.
let defaultProcesses = Array(allProcesses.prefix(testRegistry.ids(of: .sde).count))

/// swift-numerics' `isApproximatelyEqual`: |a − b| ≤ max(absoluteTolerance, relativeTolerance·max(|a|, |b|)).
func isClose(_ a: Double, _ b: Double, absolute: Double = 0, relative: Double = 0) -> Bool {
    Swift.abs(a - b) <= Swift.max(absolute, relative * Swift.max(Swift.abs(a), Swift.abs(b)))
}

/// SplitMix64 with Box–Muller normals: the tests' own generator, seeded explicitly.
struct TestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [a, b).
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }

    mutating func normal() -> Double {
        let u1 = 1 - uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * uniform())
    }

    /// A time drawn uniformly from the interior of `sde`'s range.
    mutating func time(in sde: some ForwardSDE) -> Double {
        let r = sde.timeRange
        return uniform(
            r.lowerBound + 1e-3 * (r.upperBound - r.lowerBound), r.upperBound - 1e-3 * (r.upperBound - r.lowerBound))
    }
}
