/// The loss ceiling of `training.divergenceFactor`: a step whose loss is above `factor` times
/// the running median of the recent steps' losses is not applied, and the run stops.
///
/// ```
/// refuse step n  if  L_n > factor · median(L_{n−k} … L_{n−1}),  k = min(steps recorded, 100) ≥ 20
/// ```
/// Off for a factor of 0 or `.inf`, while fewer than `warmupCount` losses are recorded, and
/// while any loss of the window is ≤ 0 (a loss that may be negative, such as sliced score
/// matching's, has no meaningful multiple, and one crossing zero has a median near 0). The
/// window is the last `windowCount` applied steps (`RunningMedian`), so memory does not grow
/// with the run; checkpoints store it (`recentLosses`), so a resumed run stops where an
/// unbroken one would. Non-finite losses, gradients and optimizer states are caught whatever
/// the factor (`Trainer`).
public struct DivergenceGuard: Sendable, Equatable {
    /// Steps whose losses make the running median.
    public static let windowCount = 100
    /// Losses recorded before the ceiling applies.
    public static let warmupCount = 20

    /// The multiple of the running median a loss may reach; 0 or `.inf`: no ceiling.
    public let factor: Double

    /// A guard with `factor` (`training.divergenceFactor`).
    public init(factor: Double) {
        self.factor = factor
    }

    /// Whether the ceiling applies at all.
    public var isEnabled: Bool { factor > 0 && factor.isFinite }

    /// An empty window of recent losses, as the guard reads it.
    public static func makeWindow() -> RunningMedian { RunningMedian(capacity: windowCount) }

    /// The largest loss the next step may have given the recent losses, or `nil` for none.
    public func ceiling(given recent: RunningMedian) -> Double? {
        guard isEnabled, recent.count >= Self.warmupCount, recent.values.allSatisfy({ $0 > 0 }),
            let median = recent.median
        else { return nil }
        return factor * median
    }
}
