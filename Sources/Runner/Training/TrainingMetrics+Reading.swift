import Foundation

extension TrainingMetrics {
    /// The lines of a `metrics.jsonl` file, in order; lines that are not metrics objects are
    /// skipped (a run killed while writing may leave half a line).
    /// - Throws: `TrainingError.fileAccess` when the file cannot be read.
    public static func read(contentsOf path: String) throws(TrainingError) -> [TrainingMetrics] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .fileAccess(path: path, reason: "no metrics file (a run folder has one after `scorekit train`)")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { parse(String($0)) }
    }

    /// One `metrics.jsonl` line, or `nil` if it is not a metrics object.
    static func parse(_ line: String) -> TrainingMetrics? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let step = (object["step"] as? NSNumber)?.intValue
        else { return nil }
        func number(_ key: String) -> Double? { (object[key] as? NSNumber)?.doubleValue }
        let bins = (object["lossByTime"] as? [Any] ?? []).map { ($0 as? NSNumber)?.doubleValue }
        var metrics = TrainingMetrics(
            step: step, loss: number("loss") ?? .nan, lossByTime: bins, learningRate: number("learningRate") ?? .nan,
            gradientNorm: number("gradientNorm") ?? .nan, stepsPerSecond: number("stepsPerSecond") ?? .nan)
        metrics.heldOutLoss = number("heldOutLoss")
        for (key, value) in object["evaluation"] as? [String: Any] ?? [:] {
            if let value = (value as? NSNumber)?.doubleValue { metrics.evaluation[key] = value }
        }
        return metrics
    }
}
