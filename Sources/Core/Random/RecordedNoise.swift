/// Draws replayed from recorded values, in the order they are asked for: another library's noise
/// and probes, so that a stochastic run can be compared with it step for step.
///
/// Two layouts of the recording, told apart by rank:
/// ```
/// [calls, count, …]   one array per call: the k-th draw is recording[k], its rows the shard's
/// [count, values]     a sequence per sample: each draw takes the next values of every row
/// ```
/// Every draw, whatever distribution it asks for (normal, uniform, Rademacher), is the next
/// recorded array: the file holds what the other library drew, in the same distribution. A
/// sampler run from the prior draws x_T first (scaled by the prior's standard deviation), then its
/// steps' noise; likelihood draws its K probes. A draw that the recording cannot serve (too few
/// calls or values, another shape) gives zeros and names itself in `problem`, which the caller
/// turns into an error after the run; the run itself never traps on a recording.
public struct RecordedNoise: NoiseSource {
    /// How the recording is laid out.
    public enum Layout: Sendable, Equatable {
        /// `[calls, count, …]`: one array per call.
        case perCall
        /// `[count, values]`: a sequence per sample.
        case perSample
    }

    /// The recording.
    public let recording: Tensor
    /// Its layout.
    public let layout: Layout
    /// The recording's rows (samples) this source serves.
    public let rows: Range<Int>
    /// The calls made so far.
    public private(set) var callCount = 0
    /// The values each row has used so far (`perSample`).
    public private(set) var consumedCount = 0
    /// The first draw the recording could not serve, said in words; nil while all were served.
    public private(set) var problem: String?

    /// A source replaying `recording` (rank ≥ 3: one array per call; rank 2: a sequence per sample).
    /// - Throws: `NoiseRecordingError` if the recording has rank below 2 or no rows.
    public init(recording: Tensor) throws(NoiseRecordingError) {
        guard recording.rank >= 2 else { throw .rank(recording.shape) }
        let layout: Layout = recording.rank == 2 ? .perSample : .perCall
        let count = layout == .perCall ? recording.shape[1] : recording.shape[0]
        self.init(recording: recording, layout: layout, rows: 0..<count)
    }

    private init(recording: Tensor, layout: Layout, rows: Range<Int>) {
        self.recording = recording
        self.layout = layout
        self.rows = rows
    }

    /// The number of samples the recording holds.
    public var sampleCount: Int { layout == .perCall ? recording.shape[1] : recording.shape[0] }

    public mutating func normal(_ shape: [Int]) -> Tensor { next(shape) }

    public mutating func uniform(_ shape: [Int]) -> Tensor { next(shape) }

    public mutating func rademacher(_ shape: [Int]) -> Tensor { next(shape) }

    public func shard(_ rows: Range<Int>) -> RecordedNoise? {
        guard rows.upperBound <= self.rows.count else { return nil }
        var part = RecordedNoise(
            recording: recording, layout: layout,
            rows: (self.rows.lowerBound + rows.lowerBound)..<(self.rows.lowerBound + rows.upperBound))
        (part.callCount, part.consumedCount, part.problem) = (callCount, consumedCount, problem)
        return part
    }

    public mutating func advance(pastShard shard: RecordedNoise) {
        (callCount, consumedCount) = (shard.callCount, shard.consumedCount)
        problem = problem ?? shard.problem
    }

    /// The next recorded draw of `shape`, or zeros and a `problem`.
    private mutating func next(_ shape: [Int]) -> Tensor {
        let call = callCount
        callCount += 1
        guard problem == nil else { return Tensor.zeros(shape) }
        guard shape.first == rows.count else {
            problem = "draw \(call + 1) asks for \(shape.first ?? 1) rows, the recording serves \(rows.count)"
            return Tensor.zeros(shape)
        }
        switch layout {
        case .perCall:
            let calls = recording.shape[0]
            let item = Array(recording.shape.dropFirst(2))
            guard call < calls else {
                problem = "draw \(call + 1) of shape \(shape) is past the recording's \(calls) draws"
                return Tensor.zeros(shape)
            }
            guard Array(shape.dropFirst()) == item else {
                problem = "draw \(call + 1) has shape \(shape), the recording's draws are [count] + \(item)"
                return Tensor.zeros(shape)
            }
            let single = recording.slice(alongAxis: 0, call..<(call + 1)).reshaped(Array(recording.shape.dropFirst()))
            return single.slice(alongAxis: 0, rows).reshaped(shape)
        case .perSample:
            let width = rows.isEmpty ? 0 : Tensor.elementCount(of: shape) / rows.count
            let available = recording.shape[1]
            guard consumedCount + width <= available else {
                problem =
                    "draw \(call + 1) needs values \(consumedCount + 1)–\(consumedCount + width) of each sample, "
                    + "the recording has \(available)"
                return Tensor.zeros(shape)
            }
            let range = consumedCount..<(consumedCount + width)
            consumedCount += width
            return recording.slice(alongAxis: 0, rows).slice(alongAxis: 1, range).reshaped(shape)
        }
    }
}

/// Why a recording cannot be replayed.
public enum NoiseRecordingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The recording is not `[calls, count, …]` or `[count, values]`.
    case rank([Int])
    /// The recording holds another number of samples than the run.
    case sampleCount(recorded: Int, needed: Int)

    public var description: String {
        switch self {
        case let .rank(shape):
            return "a noise recording of shape \(shape): expected [calls, count, …] (one array per draw) "
                + "or [count, values] (a sequence per sample)"
        case let .sampleCount(recorded, needed):
            return "the noise recording holds \(recorded) samples, the run has \(needed)"
        }
    }
}
