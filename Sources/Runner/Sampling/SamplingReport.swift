import Foundation
public import ScoreKitCore

/// What `scorekit sample` did, written beside the samples as JSON (`samples.npy` →
/// `samples.sampling.json`): the method, the evaluations and time, and for an accept/reject
/// sampler (`mala`) the acceptance rate overall and per grid step.
///
/// ```json
/// {"sampler":"mala","timeGrid":"karras","count":10000,"seed":0,"evaluationsPerSample":732,"seconds":41.2,
///  "acceptance":{"rate":0.83,"steps":[{"time":0.5,"proposed":600000,"accepted":590000,"rate":0.98},…]}}
/// ```
/// `acceptance` is `null` for samplers without an accept/reject step.
public struct SamplingReport: Sendable, Equatable {
    /// The sampler's id.
    public var sampler: String
    /// The time grid's id.
    public var timeGrid: String
    /// The samples drawn.
    public var count: Int
    /// The seed of the sampling noise.
    public var seed: UInt64
    /// The model evaluations a sample saw (the largest over the shards).
    public var evaluationCount: Int
    /// Wall time of the whole command, in seconds.
    public var seconds: Double
    /// Proposals and acceptances, for a sampler that counts them.
    public var acceptance: AcceptanceCounts?

    /// The JSON object, keys in a fixed order; non-finite numbers are `null`.
    public var json: String {
        var fields = [
            "\"sampler\":\"\(EvaluationReport.escaped(sampler))\"",
            "\"timeGrid\":\"\(EvaluationReport.escaped(timeGrid))\"", "\"count\":\(count)", "\"seed\":\(seed)",
            "\"evaluationsPerSample\":\(evaluationCount)", "\"seconds\":\(EvaluationReport.number(seconds))",
        ]
        if let acceptance {
            let steps = acceptance.times.indices.map { i in
                "{\"time\":\(EvaluationReport.number(acceptance.times[i])),\"proposed\":\(acceptance.proposed[i]),"
                    + "\"accepted\":\(acceptance.accepted[i]),\"rate\":\(Self.optional(acceptance.rates[i]))}"
            }
            fields.append(
                "\"acceptance\":{\"rate\":\(Self.optional(acceptance.rate)),\"steps\":[\(steps.joined(separator: ","))]}"
            )
        } else {
            fields.append("\"acceptance\":null")
        }
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// "acceptance rate 0.831 (per grid step 0.998 … 0.712)", or `nil` without acceptance counts.
    public var acceptanceSummary: String? {
        guard let acceptance, let rate = acceptance.rate else { return nil }
        let rates = acceptance.rates.compactMap { $0 }
        var text = "acceptance rate " + Self.rounded(rate)
        if rates.count > 1, let first = rates.first, let last = rates.last {
            text += " (per grid step \(Self.rounded(first)) … \(Self.rounded(last)))"
        }
        return text
    }

    private static func optional(_ value: Double?) -> String { value.map(EvaluationReport.number) ?? "null" }

    private static func rounded(_ value: Double) -> String { String(format: "%.3f", value) }
}
