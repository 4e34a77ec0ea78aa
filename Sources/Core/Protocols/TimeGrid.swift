/// The times a sampler visits, from the prior end of a process to its data end.
///
/// `uniform`, `karras`, log-SNR and the discrete spacings of diffusers are conformers; the step
/// count lives here, not in the sampler.
public protocol TimeGrid: Sendable {
    /// Strictly decreasing times `t₀ > t₁ > … > t_N` within the process's time range (the last may be 0
    /// when the grid ends with a final denoising step); N is the number of steps.
    func times(for sde: some ForwardSDE) -> [Double]
    /// What makes this grid unusable with `sde`, said in the grid's own terms, or nil; the recipe
    /// check `time-grid-within-process` reports it before looking at the times.
    func problem(for sde: some ForwardSDE) -> String?
}

extension TimeGrid {
    /// No problem of the grid's own: the times alone are checked.
    public func problem(for sde: some ForwardSDE) -> String? { nil }
}

/// One step of a sampling run, from `start` down to `end`.
public struct TimeStep: Sendable, Equatable {
    /// The time the step starts from (the larger).
    public var start: Double
    /// The time the step ends at (the smaller).
    public var end: Double
    /// This step's position, 0 for the first.
    public var index: Int
    /// The number of steps in the run.
    public var count: Int

    public init(start: Double, end: Double, index: Int, count: Int) {
        self.start = start
        self.end = end
        self.index = index
        self.count = count
    }

    /// end − start (negative: sampling runs backward in time).
    public var size: Double { end - start }

    /// Whether this is the run's last step.
    public var isLast: Bool { index == count - 1 }
}
