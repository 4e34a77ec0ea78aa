/// Metropolis–Hastings proposals and acceptances of a run, per grid step, summed over samples: what
/// an accept/reject sampler (MALA) reports so that its acceptance rate reaches the user.
///
/// ```
/// rate = Σ accepted / Σ proposed            rate(step i) = accepted[i] / proposed[i]
/// ```
/// Counts, not rates, so that the shards of a run add up (`merged`).
public struct AcceptanceCounts: Sendable, Equatable {
    /// The time at which each grid step proposed (its start), in the grid's order.
    public var times: [Double]
    /// Proposals per grid step, over every sample.
    public var proposed: [Int]
    /// Accepted proposals per grid step, over every sample.
    public var accepted: [Int]

    /// Zero counts for the steps of `times` (a grid: one step between each pair of times).
    public init(grid times: [Double]) {
        self.times = Array(times.dropLast())
        proposed = Array(repeating: 0, count: self.times.count)
        accepted = proposed
    }

    public init(times: [Double], proposed: [Int], accepted: [Int]) {
        precondition(
            times.count == proposed.count && proposed.count == accepted.count,
            "acceptance counts need one time, proposal and acceptance count per step")
        self.times = times
        self.proposed = proposed
        self.accepted = accepted
    }

    /// Adds `accepted` of `proposed` proposals to step `index`.
    public mutating func record(step index: Int, proposed newProposals: Int, accepted newAcceptances: Int) {
        proposed[index] += newProposals
        accepted[index] += newAcceptances
    }

    /// The fraction of all proposals accepted, or `nil` when none was made.
    public var rate: Double? {
        let total = proposed.reduce(0, +)
        return total > 0 ? Double(accepted.reduce(0, +)) / Double(total) : nil
    }

    /// The fraction accepted at each grid step (`nil` for a step without proposals).
    public var rates: [Double?] {
        zip(accepted, proposed).map { $1 > 0 ? Double($0) / Double($1) : nil }
    }

    /// The sum of runs over the same grid (the shards of one run), or `nil` for none.
    public static func merged(_ parts: [AcceptanceCounts]) -> AcceptanceCounts? {
        guard var total = parts.first else { return nil }
        for part in parts.dropFirst() {
            precondition(part.times == total.times, "acceptance counts of different grids cannot be merged")
            for i in total.proposed.indices {
                total.record(step: i, proposed: part.proposed[i], accepted: part.accepted[i])
            }
        }
        return total
    }
}

/// A sampler's `State` that counts Metropolis–Hastings acceptances: `runSampler` reads it after
/// the last step and returns it in `SamplingOutcome.acceptance`. Samplers without an accept/reject
/// step do nothing; the `Sampler` protocol is unchanged.
public protocol AcceptanceCounting: Sendable {
    /// The counts so far.
    var acceptance: AcceptanceCounts { get }
}
