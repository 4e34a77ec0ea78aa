import ScoreKitCore

/// The settings the score-matching losses that see s_θ itself (sliced, implicit, explicit)
/// share: where x comes from, the time distribution and weighting of `perturbed` data (with
/// DSM's keys and meanings), the reduction, and label dropout.
protocol ScoreMatchingSettings {
    var data: ScoreMatchingData { get }
    var fixedTime: Double { get }
    var timeDistribution: DenoisingScoreMatching.TimeDistribution { get }
    var levelCount: Int { get }
    var sigmaMax: Double { get }
    var sigmaMin: Double { get }
    var logNormalMean: Double { get }
    var logNormalStandardDeviation: Double { get }
    var discreteStepCount: Int { get }
    var weighting: DenoisingScoreMatching.Weighting { get }
    var gamma: Double { get }
    var reduction: DenoisingScoreMatching.Reduction { get }
    var labelDropout: Double { get }
}

extension ScoreMatchingSettings {
    var timeSampling: TimeSampling {
        TimeSampling(
            distribution: timeDistribution, levelCount: levelCount, sigmaMax: sigmaMax, sigmaMin: sigmaMin,
            logNormalMean: logNormalMean, logNormalStandardDeviation: logNormalStandardDeviation,
            discreteStepCount: discreteStepCount)
    }

    func validateShared() throws(ConfigurationError) {
        guard fixedTime.isFinite else {
            throw .outOfRange(key: "fixedTime", value: "\(fixedTime)", expected: "a finite time")
        }
        try TimeSampling.validate(
            levelCount: levelCount, sigmaMax: sigmaMax, sigmaMin: sigmaMin,
            logNormalStandardDeviation: logNormalStandardDeviation, discreteStepCount: discreteStepCount)
        guard gamma > 0 else { throw .outOfRange(key: "gamma", value: "\(gamma)", expected: "a number > 0") }
        try LabelDropout.validate(labelDropout)
    }

    /// The inputs and labels of a batch. Draws, in order: times and ε (perturbed only), then
    /// the label-dropout uniforms (p > 0 with labels only).
    func inputs(
        _ batch: TrainingBatch, sde: some ForwardSDE, noise: inout some NoiseSource
    ) -> (inputs: ScoreMatchingInputs, labels: [Int]?) {
        let inputs = ScoreMatchingInputs.make(
            batch, data: data, fixedTime: fixedTime, sampling: timeSampling, sde: sde, noise: &noise)
        return (inputs, LabelDropout.apply(batch.labels, probability: labelDropout, noise: &noise))
    }

    /// λ_i/D (mean) or λ_i (sum) per sample, as a [N] tensor, for a per-sample objective summed over D dimensions.
    func perSampleScale(_ inputs: ScoreMatchingInputs, dimension: Int) -> Tensor {
        let lambda = inputs.weights(data: data, weighting: weighting, gamma: gamma)
        let divisor: Float = reduction == .mean ? Float(Swift.max(dimension, 1)) : 1
        return Tensor(lambda.map { $0 / divisor })
    }
}

/// Runs `body` with recording on (Jacobian losses need ∇ₓ even in evaluation), and cuts the
/// result from the tape when the caller was not recording.
func recordingJacobians(_ body: () -> Tensor) -> Tensor {
    let wasRecording = Autodiff.isRecording
    let result = Autodiff.withRecording { body() }
    return wasRecording ? result : result.detached()
}
