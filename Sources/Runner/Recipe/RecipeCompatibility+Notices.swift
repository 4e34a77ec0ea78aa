import Foundation
import ScoreKitCore

extension RecipeCompatibility.NoticeRule {
    /// The share of a grid's steps below which `gridReachesLowNoise` raises its notice.
    static let lowNoiseShareThreshold = 0.045

    /// A time grid that spends almost none of its steps at low noise: less than 4.5 % of its steps
    /// (counted in log noise level, so a step that crosses the middle counts in part) lie in the
    /// lower half of its log noise levels log(σ/α), between the first time's level and the last
    /// nonzero time's. Fixed-step samplers then cross the data end in one or two long steps from
    /// a noise level where x̂₀ still averages over the data's modes.
    ///
    /// This is the grid uniform in t on a process whose time is its noise level (EDM, t = σ ∈
    /// [0.002, 80]): 18 steps put 4 % of the grid there (the last step jumps from σ = 4.4 to
    /// 0.002), 1,000 steps 0.5 %, and 17–100 % of ring samples land off the ring. Grids uniform in t
    /// on VP, sub-VP, cosine and VE put 15–50 % there, the linear interpolant 9 % (with ≥ 10
    /// steps); Karras', log-SNR and geometric grids about half.
    public static var gridReachesLowNoise: Self {
        Self(name: "grid-reaches-low-noise") { recipe, registry in
            guard let grid = recipe.timeGrid, let share = lowNoiseShare(grid.times(for: recipe.sde), recipe.sde),
                share.fraction < lowNoiseShareThreshold
            else { return nil }
            let name = recipe.componentIDs[.timeGrid].map { " '\($0)'" } ?? ""
            let sdeName = recipe.componentIDs[.sde].map { " on sde '\($0)'" } ?? ""
            let better = registry.ids(of: .timeGrid).filter { id in
                guard let made = try? registry.make(.timeGrid, from: ["kind": .string(id.rawValue)]),
                    let other = lowNoiseShare(made.times(for: recipe.sde), recipe.sde)
                else { return false }
                return other.fraction >= lowNoiseShareThreshold
            }
            let percent = String(format: "%.1f", 100 * share.fraction)
            return RecipeNotice(
                rule: "grid-reaches-low-noise",
                headline: "timeGrid\(name)\(sdeName) spends \(percent) % of its \(share.total) steps below noise "
                    + "level σ/α = \(format(share.middle)), the middle of its range \(format(share.largest)) … "
                    + "\(format(share.smallest)) in log scale; fixed-step samplers then reach the data in a few "
                    + "long steps and put many samples off the data",
                notes: [
                    "it runs, but expect poor samples; grids that spend more steps at low noise on this process: "
                        + (better.isEmpty ? "none registered" : better.map(\.rawValue).joined(separator: ", "))
                ],
                location: recipe.written["timeGrid"]?["kind"]?.location ?? recipe.written["timeGrid"]?.location)
        }
    }

    /// The share of the grid's steps (a final step to t = 0 aside) that lies below the geometric
    /// middle of the noise levels σ/α at its first and last nonzero times, each step counted by the
    /// part of its log-level interval below the middle; `nil` for fewer than 2 such steps or
    /// levels that are not finite and positive.
    static func lowNoiseShare(
        _ times: [Double], _ sde: some ForwardSDE
    ) -> (fraction: Double, total: Int, largest: Double, middle: Double, smallest: Double)? {
        let positive = times.last == 0 ? Array(times.dropLast()) : times
        guard positive.count >= 3 else { return nil }
        let levels = positive.map { time -> Double in
            let m = sde.marginal(at: time)
            return Foundation.log(m.noiseScale / m.signalScale)
        }
        guard let largest = levels.first, let smallest = levels.last, largest.isFinite, smallest.isFinite,
            largest > smallest
        else { return nil }
        let middle = 0.5 * (largest + smallest)
        var below = 0.0
        for index in 0..<(levels.count - 1) {
            let (upper, lower) = (levels[index], levels[index + 1])
            guard upper > lower else { continue }
            below += (Swift.min(upper, middle) - Swift.min(lower, middle)) / (upper - lower)
        }
        let total = levels.count - 1
        return (below / Double(total), total, Foundation.exp(largest), Foundation.exp(middle), Foundation.exp(smallest))
    }

    /// 3 significant digits.
    private static func format(_ value: Double) -> String { String(format: "%.3g", value) }
}
