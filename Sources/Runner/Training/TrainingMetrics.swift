import Foundation
public import ScoreKitCore

/// One line of `metrics.jsonl`: running means over the steps since the previous line.
///
/// ```json
/// {"step":1000,"loss":0.8123,"lossByTime":[1.02,0.97,…,null],"learningRate":0.00098,"gradientNorm":2.31,"stepsPerSecond":185.2}
/// ```
/// `loss` and `gradientNorm` (before clipping) are means over the window's steps; `lossByTime[k]`
/// is the mean per-sample loss term of the samples whose normalised time (t − t_min)/(t_max − t_min)
/// fell in bin k of `training.timeBinCount` (`null` when none did); `learningRate` is the last
/// step's; `heldOutLoss` appears at evaluations, `evaluation` with the values of evaluation hooks.
public struct TrainingMetrics: Sendable, Equatable {
    /// Steps done.
    public var step: Int
    /// The mean batch loss over the window.
    public var loss: Double
    /// The mean loss term per time bin, `nil` for an empty bin.
    public var lossByTime: [Double?]
    /// The learning rate of the window's last step.
    public var learningRate: Double
    /// The mean global gradient norm before clipping.
    public var gradientNorm: Double
    /// Steps per second of wall time over the window (includes evaluation, not checkpoints).
    public var stepsPerSecond: Double
    /// The held-out loss of the averaged (EMA) weights, at evaluations.
    public var heldOutLoss: Double?
    /// Values from evaluation hooks, by name.
    public var evaluation: [String: Double] = [:]

    /// A metrics line from its values.
    public init(
        step: Int, loss: Double, lossByTime: [Double?], learningRate: Double, gradientNorm: Double,
        stepsPerSecond: Double, heldOutLoss: Double? = nil, evaluation: [String: Double] = [:]
    ) {
        self.step = step
        self.loss = loss
        self.lossByTime = lossByTime
        self.learningRate = learningRate
        self.gradientNorm = gradientNorm
        self.stepsPerSecond = stepsPerSecond
        self.heldOutLoss = heldOutLoss
        self.evaluation = evaluation
    }

    /// The JSON object, keys in a fixed order; non-finite numbers are `null`.
    public var json: String {
        var fields = [
            "\"step\":\(step)", "\"loss\":\(Self.number(loss))",
            "\"lossByTime\":[" + lossByTime.map { $0.map(Self.number) ?? "null" }.joined(separator: ",") + "]",
            "\"learningRate\":\(Self.number(learningRate))", "\"gradientNorm\":\(Self.number(gradientNorm))",
            "\"stepsPerSecond\":\(Self.number(stepsPerSecond))",
        ]
        if let heldOutLoss { fields.append("\"heldOutLoss\":\(Self.number(heldOutLoss))") }
        if !evaluation.isEmpty {
            let entries = evaluation.keys.sorted().map { "\"\(Self.escaped($0))\":\(Self.number(evaluation[$0]!))" }
            fields.append("\"evaluation\":{" + entries.joined(separator: ",") + "}")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// The `train.log` line.
    public func logLine(stepCount: Int) -> String {
        var line = String(
            format: "step %d/%d  loss %.5g  lr %.3g  grad-norm %.3g  %.1f steps/s", step, stepCount, loss, learningRate,
            gradientNorm, stepsPerSecond)
        if let heldOutLoss { line += String(format: "  held-out loss %.5g", heldOutLoss) }
        for key in evaluation.keys.sorted() { line += "  \(key) " + String(format: "%.5g", evaluation[key]!) }
        return line
    }

    /// The step a `metrics.jsonl` line records, or `nil` if it is not such a line.
    static func step(ofLine line: Substring) -> Int? {
        guard line.hasPrefix("{\"step\":") else { return nil }
        return Int(line.dropFirst(8).prefix { $0.isNumber })
    }

    private static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

/// Running sums over a logging window: loss, gradient norm, per-time-bin loss terms, wall time.
public struct TrainingDiagnostics: Sendable {
    /// The bins' count over the normalised time.
    public let binCount: Int
    private let timeRange: ClosedRange<Double>
    private var stepCount = 0
    private var lossSum = 0.0
    private var gradientNormSum = 0.0
    private var binSums: [Double]
    private var binCounts: [Int]
    private var lastLearningRate = 0.0
    private var windowStart = ContinuousClock.now

    /// Empty sums for `binCount` bins over `timeRange`.
    public init(binCount: Int, timeRange: ClosedRange<Double>) {
        self.binCount = binCount
        self.timeRange = timeRange
        binSums = [Double](repeating: 0, count: binCount)
        binCounts = [Int](repeating: 0, count: binCount)
    }

    /// Whether no step was recorded since the last reset.
    public var isEmpty: Bool { stepCount == 0 }

    /// Adds one step.
    public mutating func record(loss: Float, gradientNorm: Double, learningRate: Double, evaluation: LossEvaluation) {
        stepCount += 1
        lossSum += Double(loss)
        gradientNormSum += gradientNorm
        lastLearningRate = learningRate
        guard !evaluation.times.isEmpty, evaluation.times.count == evaluation.perSample.scalarCount else { return }
        let width = timeRange.upperBound - timeRange.lowerBound
        evaluation.perSample.withUnsafeBufferPointer { terms in
            for (i, t) in evaluation.times.enumerated() {
                let position = width > 0 ? (t - timeRange.lowerBound) / width : 0
                let bin = Swift.min(Swift.max(Int(position * Double(binCount)), 0), binCount - 1)
                binSums[bin] += Double(terms[i])
                binCounts[bin] += 1
            }
        }
    }

    /// The window's means at `step`, then empty sums for the next window.
    public mutating func flush(step: Int) -> TrainingMetrics {
        let seconds = (ContinuousClock.now - windowStart).seconds
        let n = Double(Swift.max(stepCount, 1))
        let metrics = TrainingMetrics(
            step: step, loss: lossSum / n,
            lossByTime: zip(binSums, binCounts).map { $1 > 0 ? $0 / Double($1) : nil },
            learningRate: lastLearningRate, gradientNorm: gradientNormSum / n,
            stepsPerSecond: seconds > 0 ? Double(stepCount) / seconds : 0)
        self = TrainingDiagnostics(binCount: binCount, timeRange: timeRange)
        return metrics
    }

    /// Restarts the window's clock (after a checkpoint, so that writing it is not counted).
    public mutating func restartClock() {
        windowStart = .now
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
