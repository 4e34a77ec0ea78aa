import Foundation

/// What `scorekit evaluate` measured; `json` is the `evaluation.json` file, `table` the
/// printed summary.
public struct EvaluationReport: Sendable, Equatable {
    /// The metrics against the exact mixture the data is drawn from.
    public struct MixtureMetrics: Sendable, Equatable {
        /// w_k.
        public var weights: [Double]
        /// The fraction of samples nearest each mean.
        public var componentShares: [Double]
        /// ½·Σ_k |share_k − w_k|.
        public var shareTotalVariation: Double
        /// The radius beyond which (from every mean) a sample counts as off the manifold.
        public var offManifoldRadius: Double
        /// The fraction of samples beyond `offManifoldRadius` from every mean.
        public var offManifoldFraction: Double
        /// (1/N)·Σ log p₀(x_i) under the exact mixture, in nats; `nil` when p₀ has no density.
        public var meanLogDensity: Double?
        /// Its standard error s/√N.
        public var meanLogDensityStandardError: Double?
        /// The same mean over the reference points: what exact samples would score.
        public var referenceMeanLogDensity: Double?

        /// The component whose share is farthest from its weight (the first of equals), and
        /// |share − w| there: the "every share within ±δ of its weight" check.
        public var largestShareError: (component: Int, error: Double) {
            zip(componentShares, weights).enumerated().reduce((component: 0, error: 0.0)) { best, next in
                let error = abs(next.element.0 - next.element.1)
                return error > best.error ? (next.offset, error) : best
            }
        }
    }

    /// N, the samples given (finite or not).
    public var sampleCount: Int
    /// Samples with a non-finite value, left out of every metric.
    public var nonFiniteCount: Int
    /// The first of them (counting rows from 0), when there is one.
    public var firstNonFiniteRow: Int? = nil
    /// M, the reference points.
    public var referenceCount: Int
    /// The points of each side the O(n²) metrics used.
    public var pairPointCount: (samples: Int, reference: Int)
    /// d.
    public var dimension: Int
    /// The squared energy distance (U-statistic).
    public var energyDistance: Double
    /// MMD² with the RBF kernel of `bandwidth` (unbiased).
    public var maximumMeanDiscrepancySquared: Double
    /// h.
    public var bandwidth: Double
    /// Where h came from: "recipe" or "median heuristic".
    public var bandwidthRule: String
    /// SW₂.
    public var slicedWasserstein2: Double
    /// L.
    public var projectionCount: Int
    /// Mixture metrics, when the data is an exact mixture.
    public var mixture: MixtureMetrics?
    /// Image metrics (the Fréchet distance and its floor), when the data are labelled images
    /// with a held-out part.
    public var image: ImageMetrics?
    /// What was compared: file paths and the reference part, for the JSON file.
    public var sources: [(key: String, value: String)] = []

    public static func == (lhs: EvaluationReport, rhs: EvaluationReport) -> Bool { lhs.json == rhs.json }

    /// The JSON object, keys in a fixed order; non-finite numbers are `null`.
    public var json: String {
        var fields = sources.map { "\"\(Self.escaped($0.key))\":\"\(Self.escaped($0.value))\"" }
        fields += [
            "\"sampleCount\":\(sampleCount)", "\"nonFiniteCount\":\(nonFiniteCount)",
            "\"firstNonFiniteRow\":\(firstNonFiniteRow.map { "\($0)" } ?? "null")",
            "\"referenceCount\":\(referenceCount)", "\"dimension\":\(dimension)",
            "\"energyDistance\":{\"value\":\(Self.number(energyDistance)),\"pointCount\":[\(pairPointCount.samples),\(pairPointCount.reference)]}",
            "\"mmd\":{\"squared\":\(Self.number(maximumMeanDiscrepancySquared)),\"kernel\":\"rbf\",\"bandwidth\":\(Self.number(bandwidth)),\"bandwidthRule\":\"\(bandwidthRule)\",\"pointCount\":[\(pairPointCount.samples),\(pairPointCount.reference)]}",
            "\"slicedWasserstein2\":{\"value\":\(Self.number(slicedWasserstein2)),\"projectionCount\":\(projectionCount)}",
        ]
        if let m = mixture {
            var entries = [
                "\"weights\":" + Self.array(m.weights), "\"componentShares\":" + Self.array(m.componentShares),
                "\"shareTotalVariation\":\(Self.number(m.shareTotalVariation))",
                "\"largestShareError\":{\"component\":\(m.largestShareError.component),\"value\":\(Self.number(m.largestShareError.error))}",
                "\"offManifoldRadius\":\(Self.number(m.offManifoldRadius))",
                "\"offManifoldFraction\":\(Self.number(m.offManifoldFraction))",
            ]
            if let value = m.meanLogDensity { entries.append("\"meanLogDensity\":\(Self.number(value))") }
            if let value = m.meanLogDensityStandardError {
                entries.append("\"meanLogDensityStandardError\":\(Self.number(value))")
            }
            if let value = m.referenceMeanLogDensity {
                entries.append("\"referenceMeanLogDensity\":\(Self.number(value))")
            }
            fields.append("\"mixture\":{" + entries.joined(separator: ",") + "}")
        }
        if let m = image {
            fields.append(
                "\"image\":{\"frechetDistance\":\(Self.number(m.frechetDistance)),"
                    + "\"frechetFloor\":\(Self.number(m.frechetFloor)),"
                    + "\"pointCount\":{\"samples\":\(m.pointCount.samples),\"training\":\(m.pointCount.training),"
                    + "\"heldOut\":\(m.pointCount.heldOut)},\"featureCount\":\(m.featureCount),"
                    + "\"classifierHeldOutAccuracy\":\(Self.number(m.classifierHeldOutAccuracy)),"
                    + "\"classifierSteps\":\(m.classifierSteps)}")
        }
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// A short table for the terminal.
    public var table: String {
        var rows: [(String, String)] = [
            ("samples", "\(sampleCount)" + nonFiniteNote),
            ("reference points", "\(referenceCount)"),
            (
                "energy distance",
                Self.format(energyDistance) + "  (\(pairPointCount.samples) × \(pairPointCount.reference) points)"
            ),
            (
                "MMD² (RBF)",
                Self.format(maximumMeanDiscrepancySquared) + "  (h = \(Self.format(bandwidth)), \(bandwidthRule))"
            ),
            ("sliced W₂", Self.format(slicedWasserstein2) + "  (\(projectionCount) directions)"),
        ]
        if let m = mixture {
            rows.append(
                ("component shares", m.componentShares.map { String(format: "%.3f", $0) }.joined(separator: " ")))
            rows.append(("weights", m.weights.map { String(format: "%.3f", $0) }.joined(separator: " ")))
            rows.append(("share total variation", Self.format(m.shareTotalVariation)))
            rows.append(
                (
                    "largest share error",
                    Self.format(m.largestShareError.error) + "  (component \(m.largestShareError.component))"
                ))
            rows.append(
                (
                    "off-manifold fraction",
                    Self.format(m.offManifoldFraction) + "  (beyond \(Self.format(m.offManifoldRadius)) of every mean)"
                ))
            if let mean = m.meanLogDensity, let error = m.meanLogDensityStandardError {
                var text = String(format: "%.4f ± %.4f nats", mean, error)
                if let reference = m.referenceMeanLogDensity { text += String(format: "  (data: %.4f)", reference) }
                rows.append(("mean log p₀(x)", text))
            }
        }
        if let m = image {
            rows.append(
                (
                    "Fréchet distance",
                    Self.format(m.frechetDistance)
                        + "  (floor \(Self.format(m.frechetFloor)): training vs held-out; \(m.featureCount) classifier "
                        + "features; \(m.pointCount.samples) samples, \(m.pointCount.training) training, "
                        + "\(m.pointCount.heldOut) held-out images)"
                ))
            rows.append(
                (
                    "feature classifier",
                    String(format: "%.1f %% held-out accuracy", 100 * m.classifierHeldOutAccuracy)
                        + "  (\(m.classifierSteps) steps)"
                ))
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
            .joined(separator: "\n") + "\n"
    }

    static func format(_ value: Double) -> String { String(format: "%.4g", value) }

    static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }

    static func array(_ values: [Double]) -> String { "[" + values.map(number).joined(separator: ",") + "]" }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

extension EvaluationReport {
    /// ` (3 non-finite, left out; the first is row 17)`, or nothing when every sample is finite.
    public var nonFiniteNote: String {
        guard nonFiniteCount > 0 else { return "" }
        let first = firstNonFiniteRow.map { "; the first is row \($0), counting from 0" } ?? ""
        return " (\(nonFiniteCount) non-finite, left out\(first))"
    }
}
