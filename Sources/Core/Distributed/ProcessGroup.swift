/// The processes that run one command together (MPI's ranks), as the engine sees them: an index,
/// a count and one collective.
///
/// ```swift
/// let group: any ProcessGroup = SingleProcess()     // or ScoreKitMPI's world under mpirun
/// let everyone = group.allGather(Array("hello from \(group.rank)".utf8))   // rank order
/// ```
/// Core holds only this protocol and the single-process group, so a package that depends on
/// Core alone never links MPI; the MPI group lives in its own module (`ScoreKitMPI`). Commands
/// reach the group through `Collectives`, which frames every message with a status so that a
/// rank's failure ends every rank instead of leaving them waiting.
public protocol ProcessGroup: AnyObject, Sendable {
    /// This process's index, `0..<size`; rank 0 writes the outputs.
    var rank: Int { get }
    /// How many processes run the command.
    var size: Int { get }
    /// Every rank's `bytes`, in rank order, on every rank. Every rank calls it the same number of
    /// times in the same order; the byte counts may differ between ranks.
    func allGather(_ bytes: [UInt8]) -> [[UInt8]]
}

/// The group of one process: `allGather` returns its argument. What `scorekit` runs on without
/// `mpirun`, and what every session uses unless it is given another group.
public final class SingleProcess: ProcessGroup {
    public init() {}

    public var rank: Int { 0 }
    public var size: Int { 1 }

    public func allGather(_ bytes: [UInt8]) -> [[UInt8]] { [bytes] }
}
