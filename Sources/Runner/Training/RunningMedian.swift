/// The median of the last `capacity` values recorded: at most `capacity` numbers are kept, so
/// its memory never grows with the run.
///
/// ```
/// median of v_{n−k+1} … v_n,   k = min(n, capacity)   (the mean of the two middle values for even k)
/// ```
/// `median` sorts a copy of the window: O(k log k) for k ≤ `capacity`, a few microseconds at 100.
public struct RunningMedian: Sendable, Equatable {
    /// The most values kept.
    public let capacity: Int
    /// The values kept, oldest first.
    public private(set) var values: [Double]

    /// A window of at most `capacity` values holding the last of `values` (oldest first).
    public init(capacity: Int, values: [Double] = []) {
        precondition(capacity >= 1, "a running median keeps at least one value, got capacity \(capacity)")
        self.capacity = capacity
        self.values = Array(values.suffix(capacity))
        self.values.reserveCapacity(capacity)
    }

    /// The number of values in the window (at most `capacity`).
    public var count: Int { values.count }

    /// Adds `value`, dropping the oldest once the window is full.
    public mutating func record(_ value: Double) {
        if values.count == capacity { values.removeFirst() }
        values.append(value)
    }

    /// The median of the window, or `nil` when it is empty.
    public var median: Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
