import ScoreKitCore

extension RecipeCompatibility.Rule {
    /// The times a rule samples a process at: `count` evenly spaced over its time range, both ends included.
    static func sampleTimes(of sde: some ForwardSDE, count: Int = 33) -> [Double] {
        let range = sde.timeRange
        return (0..<count).map { index in
            index == count - 1
                ? range.upperBound
                : range.lowerBound + (range.upperBound - range.lowerBound) * Double(index) / Double(count - 1)
        }
    }

    /// The parameterization's c_skip, c_out and c_in must be finite over the process's whole
    /// time range: ε- or score-prediction divide by α(t), which vanishes where a process ends
    /// at pure noise (α = 0), and the network's output would be scaled by infinity there.
    ///
    /// Checked at 33 evenly spaced times, both ends included; the message lists the registered
    /// parameterizations (with default settings) that pass for this process.
    public static var preconditioningDefined: Self {
        Self(name: "preconditioning-defined") { recipe, registry in
            guard let parameterization = recipe.parameterization,
                let failure = firstUndefined(parameterization, on: recipe.sde)
            else { return nil }
            let compatible = registry.ids(of: .parameterization).filter { id in
                let section: ConfigurationValue = ["kind": .string(id.rawValue)]
                guard let candidate = try? registry.make(.parameterization, from: section) else { return false }
                return firstUndefined(candidate, on: recipe.sde) == nil
            }
            let name = recipe.componentIDs[.parameterization].map { " '\($0)'" } ?? ""
            let sdeName = recipe.componentIDs[.sde].map { " '\($0)'" } ?? ""
            let kindLocation = recipe.written["parameterization"]?["kind"]?.location
            return .incompatible(
                headline: "parameterization\(name) is undefined for sde\(sdeName) at t = \(failure.time): "
                    + "\(failure.coefficient) = \(failure.value)",
                notes: [
                    "its preconditioning divides by a scale that vanishes there. Compatible: "
                        + (compatible.isEmpty ? "none registered" : compatible.map(\.rawValue).joined(separator: ", "))
                ],
                location: kindLocation ?? recipe.written["parameterization"]?.location)
        }
    }

    private static func firstUndefined(
        _ parameterization: any Parameterization, on sde: any ForwardSDE
    )
        -> (time: Double, coefficient: String, value: Double)?
    {
        for time in sampleTimes(of: sde) {
            let c = parameterization.preconditioning(for: sde.marginal(at: time))
            for (coefficient, value) in [("c_skip", c.skipScale), ("c_out", c.outputScale), ("c_in", c.inputScale)]
            where !value.isFinite {
                return (time, coefficient, value)
            }
        }
        return nil
    }
}

extension RecipeCompatibility.Rule {
    /// The time grid's times for the process must be finite, strictly decreasing and inside
    /// the process's time range (the last may be 0, a final denoising step), as `TimeGrid`
    /// promises: an `endTime` beyond the process's T, or a noise-level grid on a process whose
    /// noise level is infinite at T (zero terminal SNR), breaks that promise.
    ///
    /// The grid is computed once, here, as a sampler would compute it.
    public static var timeGridWithinProcess: Self {
        Self(name: "time-grid-within-process") { recipe, _ in
            guard let grid = recipe.timeGrid,
                let problem = grid.problem(for: recipe.sde)
                    ?? problem(in: grid.times(for: recipe.sde), recipe.sde.timeRange)
            else { return nil }
            let name = recipe.componentIDs[.timeGrid].map { " '\($0)'" } ?? ""
            let sdeName = recipe.componentIDs[.sde].map { " '\($0)'" } ?? ""
            let range = recipe.sde.timeRange
            return .incompatible(
                headline: "timeGrid\(name) does not fit sde\(sdeName): \(problem)",
                notes: [
                    "a grid must run strictly downward inside the process's time range "
                        + "[\(range.lowerBound), \(range.upperBound)]; its last time may be 0"
                ],
                location: recipe.written["timeGrid"]?["kind"]?.location ?? recipe.written["timeGrid"]?.location)
        }
    }

    /// What is wrong with `times` on `range`, or `nil`.
    private static func problem(in times: [Double], _ range: ClosedRange<Double>) -> String? {
        guard times.count >= 2 else { return "it gives \(times.count) time\(times.count == 1 ? "" : "s"), not a step" }
        let slack = 1e-9 * max(1, abs(range.upperBound))
        for (index, time) in times.enumerated() {
            guard time.isFinite else { return "time \(index) of \(times.count) is \(time)" }
            let isFinalZero = index == times.count - 1 && time == 0
            if !isFinalZero, time < range.lowerBound - slack || time > range.upperBound + slack {
                return "time \(index) of \(times.count), \(time), is outside the process's time range"
            }
            if index > 0, time >= times[index - 1] {
                return "time \(index) of \(times.count), \(time), is not below the one before, \(times[index - 1])"
            }
        }
        return nil
    }
}
