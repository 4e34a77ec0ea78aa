import Foundation
public import ScoreKitCore

/// Ranks of one process, each on its own thread, for testing what runs on several ranks
/// (`Collectives`) without `mpirun`.
///
/// ```swift
/// let results = LocalProcessGroup.run(size: 2) { collectives in
///     try trainStep(collectives)          // runs on 2 threads, one per rank
/// }
/// ```
/// `allGather` meets every rank at a barrier, as MPI's collective does.
public final class LocalProcessGroup: ProcessGroup, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let meeting: Meeting

    private init(rank: Int, size: Int, meeting: Meeting) {
        self.rank = rank
        self.size = size
        self.meeting = meeting
    }

    /// `size` ranks that exchange with one another.
    public static func ranks(_ size: Int) -> [LocalProcessGroup] {
        precondition(size >= 1, "a group needs at least one rank, got \(size)")
        let meeting = Meeting(size: size)
        return (0..<size).map { LocalProcessGroup(rank: $0, size: size, meeting: meeting) }
    }

    /// `body` on `size` ranks, each on its own thread with its own `Collectives` (whose failure
    /// handler stops the test process with the failure); the results in rank order.
    public static func run<Result: Sendable>(
        size: Int, _ body: @escaping @Sendable (Collectives) -> Result
    ) -> [Result] {
        let groups = ranks(size)
        let results = ResultSlots<Result>(count: size)
        let done = DispatchGroup()
        for group in groups {
            done.enter()
            let thread = Thread {
                results.set(group.rank, body(Collectives(group: group)))
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return results.values
    }

    public func allGather(_ bytes: [UInt8]) -> [[UInt8]] {
        meeting.gather(rank: rank, bytes: bytes)
    }

    /// The rendezvous of one group: a round collects every rank's bytes, then hands them out.
    private final class Meeting: @unchecked Sendable {
        let size: Int
        let condition = NSCondition()
        var slots: [[UInt8]?]
        var arrived = 0
        var handedOut = 0
        var round = 0
        var result: [[UInt8]] = []
        var handingOut = false

        init(size: Int) {
            self.size = size
            slots = Array(repeating: nil, count: size)
        }

        func gather(rank: Int, bytes: [UInt8]) -> [[UInt8]] {
            condition.lock()
            defer { condition.unlock() }
            while handingOut { condition.wait() }
            slots[rank] = bytes
            arrived += 1
            if arrived == size {
                result = slots.map { $0 ?? [] }
                handingOut = true
                round += 1
                condition.broadcast()
            } else {
                let current = round
                while round == current { condition.wait() }
            }
            let gathered = result
            handedOut += 1
            if handedOut == size {
                (arrived, handedOut, handingOut) = (0, 0, false)
                slots = Array(repeating: nil, count: size)
                condition.broadcast()
            }
            return gathered
        }
    }

    private final class ResultSlots<Value>: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Value?]

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ value: Value) {
            lock.lock()
            slots[index] = value
            lock.unlock()
        }

        var values: [Value] {
            lock.lock()
            defer { lock.unlock() }
            return slots.map { $0! }
        }
    }
}
