extension Sampler {
    /// The most steps whose run makes at most `budget` model evaluations, or `nil` when not even
    /// one step fits: how an `nfe` budget becomes a time grid's `steps`, per method.
    ///
    /// ```
    /// Euler, DDIM, DPM-Solver++(2M, 3M)   N = nfe
    /// Heun, midpoint, DPM-Solver-2        N = ⌊nfe/2⌋, or ⌊(nfe + 1)/2⌋ when the last step goes to t = 0
    /// RK4                                 N = ⌊nfe/4⌋, or ⌊(nfe + 3)/4⌋ when the last step goes to t = 0
    /// ```
    /// `endingAtZero`: the grid's last step is the final denoising step to t = 0 (`finalStep: toZero`),
    /// which costs one evaluation. Counts come from `evaluationCount(forTimes:)`, so they are exact.
    public func stepCount(forEvaluationBudget budget: Int, endingAtZero: Bool = false) -> Int? {
        func cost(_ steps: Int) -> Int {
            let times = (0...steps).map { endingAtZero && $0 == steps ? 0 : 1 - Double($0) / Double(steps + 1) }
            return evaluationCount(forTimes: times)
        }
        guard budget >= 1, cost(1) <= budget else { return nil }
        var (low, high) = (1, 2)
        while cost(high) <= budget, high <= budget {  // every step costs ≥ 1, so N ≤ budget
            (low, high) = (high, high * 2)
        }
        while high - low > 1 {  // cost(low) ≤ budget < cost(high); costs grow with the step count
            let middle = (low + high) / 2
            if cost(middle) <= budget { low = middle } else { high = middle }
        }
        return low
    }
}
