import Synchronization

/// The collectives of a command over a `ProcessGroup`: exchanges framed with a status, the cut of
/// shards across ranks, and the failure protocol.
///
/// ```swift
/// let parts = try collectives.exchange(payload)        // every rank's payload, rank order
/// let mine = collectives.ownedShards(of: ranges.count)  // the shards this rank computes
/// ```
/// Every message ends with a status byte. A rank that fails tells the others through the same
/// collective (`fail(_:)`): whatever exchange the others are in, they receive its message and
/// throw `RankFailure`, so no rank waits for one that has stopped. After an exchange that carried
/// a failure no rank exchanges again; a command that ends well makes one last exchange
/// (`finish()`), where a failure after the last shared step (writing an output on rank 0) still
/// reaches every rank. A rank that dies outright is `mpirun`'s to notice: it ends the others.
public final class Collectives: Sendable {
    /// The processes.
    public let group: any ProcessGroup
    /// The failure every rank has seen, once one has.
    private let ended = Mutex<RankFailure?>(nil)
    /// What ends the process when an exchange inside the engine carries a failure
    /// (`exchangeOrEnd`): the command line prints it on rank 0 and exits on every rank.
    private let onFailure: @Sendable (RankFailure) -> Never
    /// Time spent in exchanges, and their number.
    private let timing = Mutex<(seconds: Double, count: Int)>((0, 0))

    /// The collectives of `group`; `onFailure` ends the process when an exchange made by
    /// `exchangeOrEnd` carries another rank's failure.
    public init(
        group: any ProcessGroup,
        onFailure: @escaping @Sendable (RankFailure) -> Never = { fatalError("\($0.description)") }
    ) {
        self.group = group
        self.onFailure = onFailure
    }

    /// One process: every exchange returns its own payload.
    public static var single: Collectives { Collectives(group: SingleProcess()) }

    /// The seconds spent in exchanges so far and their number (waiting for other ranks included).
    public var exchangeTime: (seconds: Double, count: Int) { timing.withLock { $0 } }

    /// This process's rank.
    public var rank: Int { group.rank }
    /// The number of ranks.
    public var size: Int { group.size }
    /// Whether this rank writes the command's outputs (rank 0).
    public var isRoot: Bool { group.rank == 0 }
    /// Whether more than one process runs the command.
    public var isDistributed: Bool { group.size > 1 }

    /// The contiguous block of `0..<count` that `rank` owns: shard indices for training, sample
    /// indices for sampling. Blocks differ in size by at most one and follow rank order, so the
    /// blocks of ranks 0, 1, … in turn are `0..<count` in order.
    public func block(of count: Int, rank: Int? = nil) -> Range<Int> {
        let r = rank ?? group.rank
        return (count * r / group.size)..<(count * (r + 1) / group.size)
    }

    /// Every rank's `payload`, in rank order.
    /// - Throws: `RankFailure` when a rank reported a failure in this exchange instead of a
    ///   payload (or one was reported before); then no rank exchanges again.
    public func exchange(_ payload: [UInt8]) throws(RankFailure) -> [[UInt8]] {
        if let failure = ended.withLock({ $0 }) { throw failure }
        guard isDistributed else { return [payload] }
        let started = ContinuousClock.now
        var framed = payload
        framed.append(Status.ok.rawValue)
        let frames = group.allGather(framed)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        timing.withLock { $0 = ($0.seconds + seconds, $0.count + 1) }
        if let failure = Self.firstFailure(in: frames, size: size) {
            ended.withLock { $0 = failure }
            throw failure
        }
        return frames.map { frame in
            var payload = frame
            payload.removeLast()  // the status; in place, the frame is not shared
            return payload
        }
    }

    /// `exchange(_:)` for the engine's inner loops, which do not throw: when the exchange carries
    /// a failure, the process ends through the handler given at `init`.
    public func exchangeOrEnd(_ payload: [UInt8]) -> [[UInt8]] {
        do throws(RankFailure) { return try exchange(payload) } catch { onFailure(error) }
    }

    /// Ends the process through the failure handler: for a failure every rank has seen, or for
    /// ranks that disagree on what they exchange (`PayloadError`).
    public func end(_ failure: RankFailure) -> Never {
        onFailure(failure)
    }

    /// Tells every rank that this one failed with `message`; returns the failure every rank agrees
    /// on (the lowest failing rank's, which may be another's reported in the same exchange).
    /// Without other ranks, or after a failure was already seen, no exchange is made.
    public func fail(_ message: String) -> RankFailure {
        if let failure = ended.withLock({ $0 }) { return failure }
        let own = RankFailure(rank: rank, size: size, message: message)
        guard isDistributed else { return own }
        let frames = group.allGather(Array(message.utf8) + [Status.failed.rawValue])
        let failure = Self.firstFailure(in: frames, size: size) ?? own
        ended.withLock { $0 = failure }
        return failure
    }

    /// The command's last exchange, made when this rank finished well.
    /// - Throws: `RankFailure` when another rank failed.
    public func finish() throws(RankFailure) {
        _ = try exchange([])
    }

    /// The failure seen so far, if any.
    public var failure: RankFailure? { ended.withLock { $0 } }

    private enum Status: UInt8 {
        case ok = 0
        case failed = 1
    }

    private static func firstFailure(in frames: [[UInt8]], size: Int) -> RankFailure? {
        for (rank, frame) in frames.enumerated() where frame.last != Status.ok.rawValue {
            return RankFailure(rank: rank, size: size, message: String(decoding: frame.dropLast(), as: UTF8.self))
        }
        return nil
    }
}

/// A rank of a distributed command failed; every rank throws this, rank 0 prints it.
public struct RankFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The failing rank (the lowest, when several failed in one exchange).
    public var rank: Int
    /// The number of ranks.
    public var size: Int
    /// The rank's error message.
    public var message: String

    public init(rank: Int, size: Int, message: String) {
        self.rank = rank
        self.size = size
        self.message = message
    }

    public var description: String {
        size > 1 ? "rank \(rank) of \(size): \(message)" : message
    }
}
