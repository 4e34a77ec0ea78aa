/// The largest value a size-like recipe key may take: every count that a component turns into
/// an allocation (times of a grid, noise levels, widths, rows) has one, checked in its
/// configuration's `validate()`, so that no value that resolves makes a component allocate
/// without bound when it is built.
///
/// | ceiling | value | keys |
/// |---|---|---|
/// | `steps` | 1,000,000 | `timeGrid.steps`, `sde.trainStepCount`, `loss.discreteStepCount`, … |
/// | `levels` | 100,000 | `loss.levelCount`, `network.levelCount`, `training.timeBinCount` |
/// | `width` | 65,536 | `network.hiddenWidths`, `width`, `embeddingWidth`, `baseChannels` |
/// | `layers` | 1,000 | `network.hiddenWidths` (its length), `blockCount`, `blocksPerLevel` |
/// | `rows` | 1,048,576 | `training.batchSize`, `training.rowsPerShard` |
/// | `samples` | 268,435,456 (2²⁸) | `data.count`, `evaluation.pointLimit`, `sample --count` |
/// | `components` | 100,000 | `data.componentCount`, `data.armCount`, class counts |
/// | `projections` | 100,000 | `loss.projectionCount`, `likelihood.probeCount`, `evaluation.projectionCount` |
///
/// Every ceiling is far above what a real recipe needs (score_sde's 2,000-step grids, NCSNv2's
/// 2,000 levels). Values below their ceilings can still add up to more memory than a machine
/// has; the runner's memory estimate judges the whole recipe.
public enum SizeCeiling {
    /// Steps of a time grid or of a discrete chain: each is an array of that many times.
    public static let steps = 1_000_000
    /// Noise levels, and bins of a diagnostic over time.
    public static let levels = 100_000
    /// Units of one layer, channels, embedding widths.
    public static let width = 65_536
    /// Layers or blocks of a network.
    public static let layers = 1_000
    /// Rows of one batch or shard.
    public static let rows = 1 << 20
    /// Samples of a data set or of one sampling run.
    public static let samples = 1 << 28
    /// Mixture components, arms, classes.
    public static let components = 100_000
    /// Random projections or probes drawn per step.
    public static let projections = 100_000
}

/// `value` is an integer from 1 to `ceiling` (a `SizeCeiling`); `what` names the ceiling in the
/// message, such as "step counts".
public func requireCount(_ value: Int, key: String, atMost ceiling: Int, of what: String) throws(ConfigurationError) {
    guard value >= 1, value <= ceiling else {
        throw .outOfRange(
            key: key, value: "\(value)",
            expected: "an integer from 1 to \(ConfigurationLimits.formatted(ceiling)) (the ceiling for \(what))")
    }
}

/// `value` is an integer from 0 to `ceiling`, where 0 means none.
public func requireCountOrZero(
    _ value: Int, key: String, atMost ceiling: Int, of what: String
)
    throws(ConfigurationError)
{
    guard value >= 0, value <= ceiling else {
        throw .outOfRange(
            key: key, value: "\(value)",
            expected: "an integer from 0 to \(ConfigurationLimits.formatted(ceiling)) (the ceiling for \(what))")
    }
}
