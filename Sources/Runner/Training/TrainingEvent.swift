/// What a training run reports as it goes, for a progress bar or a log: typed, never printed.
public enum TrainingEvent: Sendable {
    /// The run is ready: `step` steps are done (0, or the resumed checkpoint's step).
    case started(TrainingStart)
    /// One more step is done.
    case step(TrainingProgress)
    /// A line of `metrics.jsonl` was written.
    case logged(TrainingMetrics)
    /// A checkpoint was written.
    case checkpointSaved(step: Int, path: String)
    /// The run stopped: finished, or paused at `TrainingSession.Options.stopAtStep`.
    case finished(TrainingSummary)
}

/// The start of a run.
public struct TrainingStart: Sendable {
    /// Steps already done.
    public var step: Int
    /// The run's length.
    public var stepCount: Int
    /// Whether the run continues from a checkpoint.
    public var resumed: Bool
    /// The number of trainable scalars.
    public var parameterCount: Int
    /// Training samples (held-out ones excluded).
    public var sampleCount: Int
    /// The run folder, when there is one.
    public var folder: String?
}

/// One step done.
public struct TrainingProgress: Sendable {
    /// Steps done.
    public var step: Int
    /// The run's length.
    public var stepCount: Int
    /// The step's batch loss.
    public var loss: Float
    /// The step's learning rate.
    public var learningRate: Double
}

/// How a run ended.
public struct TrainingSummary: Sendable {
    /// Steps done.
    public var step: Int
    /// The run's length.
    public var stepCount: Int
    /// The mean loss of the last logged window.
    public var loss: Double?
    /// Seconds spent in this invocation.
    public var seconds: Double
    /// Steps done in this invocation.
    public var stepsThisRun: Int
    /// The last checkpoint written.
    public var checkpointPath: String?
    /// The pictures written at the end (`loss.svg`, `loss-by-time.svg`, `score-field.svg` for 2-D data).
    public var picturePaths: [String] = []
}
