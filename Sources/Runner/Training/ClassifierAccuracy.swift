import Foundation
public import ScoreKitCore

/// The held-out accuracy of a noise-conditional classifier at a few times: what the training
/// log shows for a classification loss (`classifier-cross-entropy`) at every evaluation, as
/// `accuracy@t=…` in `metrics.jsonl` and `train.log`.
///
/// ```
/// x_t = α(t)·x₀ + σ(t)·ε   (ε seeded per sample)     accuracy(t) = mean_i [argmax_k f_φ(x_t,i, t)_k = y_i]
/// ```
/// At the data end it is the classifier's accuracy on clean data; toward the prior it falls to
/// the largest class's share (x_t then carries nothing of y).
public struct ClassifierAccuracy: Sendable {
    /// Where in the process's time range to measure: t = t_min + f·(t_max − t_min).
    public static let fractions = [0.05, 0.25, 0.5]

    /// The held-out rows and their labels.
    public var data: DataSet
    /// The seed of the noise.
    public var seed: UInt64

    public init(data: DataSet, seed: UInt64) {
        self.data = data
        self.seed = seed
    }

    /// The fraction of rows whose class the classifier `model` gives at `time` of `sde`.
    /// - Precondition: the data are labelled.
    public func accuracy(of model: some ScoreModel, sde: some ForwardSDE, at time: Double) -> Double {
        guard let labels = data.labels, data.count > 0 else {
            preconditionFailure("the classifier's accuracy needs labelled data")
        }
        let m = sde.marginal(at: time)
        var right = 0
        var start = 0
        while start < data.count {
            let rows = Array(start..<Swift.min(start + 256, data.count))
            let x0 = data.samples.gathering(rows: rows)
            var noise = PerSampleNoise(seed: seed, firstSample: start)
            let noisy = x0 * Float(m.signalScale) + noise.normal(x0.shape) * Float(m.noiseScale)
            let logits = Autodiff.withoutRecording {
                model(noisy, NoiseCondition(count: rows.count, time: time, marginal: m))
            }
            let (k, values) = (logits.shape[1], logits.scalars)
            for (r, row) in rows.enumerated() {
                var best = 0
                for c in 1..<k where values[r * k + c] > values[r * k + best] { best = c }
                if best == labels[row] { right += 1 }
            }
            start += rows.count
        }
        return Double(right) / Double(data.count)
    }

    /// `accuracy@t=…` at each of `fractions` of the plan's process range, for the training loop.
    public static func hook(plan: TrainingPlan) -> TrainingSession.EvaluationHook? {
        guard plan.loss is any ClassificationLoss, let heldOut = plan.data.heldOut, heldOut.labels != nil else {
            return nil
        }
        let accuracy = ClassifierAccuracy(data: heldOut, seed: plan.evaluationSeed)
        return { _, model, plan in
            let range = plan.sde.timeRange
            var values: [String: Double] = [:]
            for fraction in fractions {
                let t = range.lowerBound + fraction * (range.upperBound - range.lowerBound)
                values["accuracy@t=" + String(format: "%.3g", t)] = accuracy.accuracy(of: model, sde: plan.sde, at: t)
            }
            return values
        }
    }
}
