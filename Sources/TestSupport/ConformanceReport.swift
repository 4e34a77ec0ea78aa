import Foundation

/// The outcome of a conformance check (`checkSDE`, `checkParameterization`): what failed, in
/// words, and what was measured, by name, so that any test framework can assert on it.
///
/// ```swift
/// let report = checkSDE(MySDE())
/// #expect(report.passed, "\(report)")
/// ```
public struct ConformanceReport: Sendable, CustomStringConvertible {
    /// What was checked, such as `VariancePreservingSDE`.
    public let subject: String
    /// One line per violated law, with the values and the tolerance; empty when all pass.
    public internal(set) var failures: [String] = []
    /// Measured quantities by name (largest errors, Monte Carlo deviations in standard errors, …).
    public internal(set) var measurements: [String: Double] = [:]

    /// An empty report about `subject`.
    public init(subject: String) { self.subject = subject }

    /// Whether every law held.
    public var passed: Bool { failures.isEmpty }

    /// `subject passed` or the failures, then the measurements, one per line.
    public var description: String {
        let head =
            passed
            ? "\(subject): passed" : "\(subject): \(failures.count) failures\n  " + failures.joined(separator: "\n  ")
        let measured = measurements.keys.sorted().map { "\($0) = \(conformanceFormat(measurements[$0]!))" }
        return ([head] + measured).joined(separator: "\n  ")
    }

    mutating func fail(_ message: String) { failures.append(message) }

    /// Records `value` under `name`, keeping the largest when recorded repeatedly.
    mutating func measure(_ name: String, _ value: Double) {
        measurements[name] = Swift.max(measurements[name] ?? -.infinity, value)
    }
}

/// Four significant digits.
func conformanceFormat(_ value: Double) -> String { String(format: "%.4g", value) }

/// SplitMix64 (Steele, Lea & Flood 2014) with polar-method normals in Double: the checks' own
/// small generator, seeded explicitly. Not Core's Philox streams, which the checks do not test
/// and which are slow in unoptimised builds (the Monte Carlo check draws 10⁸ normals).
struct CheckRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fills `buffer` with standard normals by Marsaglia's polar method (Marsaglia & Bray 1964).
    mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Double>) {
        var i = 0
        while i < buffer.count {
            let word = next()
            let u = Double(word >> 32) * 0x1.0p-31 - 1
            let v = Double(word & 0xFFFF_FFFF) * 0x1.0p-31 - 1
            let s = u * u + v * v
            if s >= 1 || s == 0 { continue }
            let factor = (-2 * Foundation.log(s) / s).squareRoot()
            buffer[i] = u * factor
            if i + 1 < buffer.count { buffer[i + 1] = v * factor }
            i += 2
        }
    }

    /// One standard normal.
    mutating func normal() -> Double {
        var value = 0.0
        withUnsafeMutablePointer(to: &value) { fillNormal(UnsafeMutableBufferPointer(start: $0, count: 1)) }
        return value
    }
}
