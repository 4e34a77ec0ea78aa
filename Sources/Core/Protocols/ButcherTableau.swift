/// An explicit Runge–Kutta method, by its Butcher tableau (Butcher 2016, §23), and its step
/// on any `VectorField`, with a step size per row.
///
/// ```
/// k₁ = F(y, t),   kᵢ = F(y + hᵢ·Σⱼ aᵢⱼkⱼ, t + cᵢh)          (the given first stage is k₁)
/// y₁ = y + h·Σ bᵢkᵢ,   error = h·Σ eᵢkᵢ,   eᵢ = bᵢ − b̂ᵢ (an embedded pair)
/// ```
/// The fixed-step samplers (Euler, Heun, midpoint, RK4, RK45 on a grid) and the adaptive
/// Dormand–Prince step all run through `stages(…)`, so sampling and likelihood share one
/// implementation of each method; a plug-in sampler defines its own tableau with
/// `init(nodes:coefficients:weights:errorWeights:)` and steps with `probabilityFlowStep`.
public struct ButcherTableau: Sendable {
    /// cᵢ, the stage times as fractions of the step.
    public let nodes: [Double]
    /// aᵢⱼ for j < i, row i (row 0 empty).
    public let coefficients: [[Double]]
    /// bᵢ, the weights of the solution.
    public let weights: [Double]
    /// eᵢ = bᵢ − b̂ᵢ, the weights of the error estimate (empty without an embedded pair).
    public let errorWeights: [Double]

    /// A method of `nodes.count` stages; row i of `coefficients` holds aᵢⱼ for j < i.
    ///
    /// A malformed tableau (rows of the wrong length, weights not summing to 1, or cᵢ ≠ Σⱼ aᵢⱼ)
    /// is a programming error: a `precondition` failure.
    public init(nodes: [Double], coefficients: [[Double]], weights: [Double], errorWeights: [Double]) {
        let stages = nodes.count
        precondition(stages > 0 && nodes[0] == 0, "a tableau starts with c₁ = 0")
        precondition(coefficients.count == stages && weights.count == stages, "one row and one weight per stage")
        precondition(errorWeights.isEmpty || errorWeights.count == stages, "one error weight per stage, or none")
        for (i, row) in coefficients.enumerated() {
            precondition(row.count == i, "row \(i) of a holds \(row.count) coefficients, not \(i)")
            precondition(abs(row.reduce(0, +) - nodes[i]) < 1e-12, "c\(i + 1) must equal the sum of row \(i) of a")
        }
        precondition(abs(weights.reduce(0, +) - 1) < 1e-12, "the weights b must sum to 1")
        self.nodes = nodes
        self.coefficients = coefficients
        self.weights = weights
        self.errorWeights = errorWeights
    }

    /// The number of stages.
    public var stageCount: Int { nodes.count }

    /// The stages that the solution needs: trailing stages with bᵢ = 0 (Dormand–Prince's 7th,
    /// which only the error estimate and the next step use) are left out.
    public var solutionStageCount: Int { (weights.lastIndex { $0 != 0 } ?? 0) + 1 }

    /// Forward Euler: k₁ only.
    public static let euler = ButcherTableau(nodes: [0], coefficients: [[]], weights: [1], errorWeights: [])

    /// Heun's method (explicit trapezoidal rule), order 2.
    public static let heun = ButcherTableau(
        nodes: [0, 1], coefficients: [[], [1]], weights: [0.5, 0.5], errorWeights: [])

    /// The explicit midpoint method, order 2.
    public static let midpoint = ButcherTableau(
        nodes: [0, 0.5], coefficients: [[], [0.5]], weights: [0, 1], errorWeights: [])

    /// The classical Runge–Kutta method, order 4 (Kutta 1901).
    public static let rungeKutta4 = ButcherTableau(
        nodes: [0, 0.5, 0.5, 1], coefficients: [[], [0.5], [0, 0.5], [0, 0, 1]],
        weights: [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6], errorWeights: [])

    /// Dormand & Prince (1980) 5(4), first same as last: order 5 with a 4th-order embedded
    /// solution; scipy's `RK45`, diffrax's `Dopri5`, MATLAB's `ode45`.
    public static let dormandPrince = ButcherTableau(
        nodes: [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1],
        coefficients: [
            [],
            [1.0 / 5],
            [3.0 / 40, 9.0 / 40],
            [44.0 / 45, -56.0 / 15, 32.0 / 9],
            [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
            [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
            [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
        ],
        weights: [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0],
        errorWeights: [
            71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40,
        ])

    /// The first `count` stages k₁…k_count of a step from `y` at `times` by `sizes` (per row);
    /// k₁ is `velocity`, so this makes count − 1 evaluations.
    public func stages(
        count: Int, _ y: Tensor, velocity: Tensor, times: [Double], sizes: [Double], field: some VectorField
    ) throws(SamplingError) -> [Tensor] {
        let h = perRowColumn(sizes, like: y)
        var k = [velocity]
        for i in 1..<count {
            let point = y + combination(coefficients[i], k) * h
            k.append(try field.velocity(point, at: zip(times, sizes).map { $0 + nodes[i] * $1 }))
        }
        return k
    }

    /// y + h·Σ bᵢkᵢ.
    public func solution(_ y: Tensor, stages k: [Tensor], sizes: [Double]) -> Tensor {
        y + combination(weights, k) * perRowColumn(sizes, like: y)
    }

    /// h·Σ eᵢkᵢ.
    public func errorEstimate(stages k: [Tensor], sizes: [Double], like y: Tensor) -> Tensor {
        combination(errorWeights, k) * perRowColumn(sizes, like: y)
    }

    /// Σ wⱼkⱼ over the non-zero weights.
    private func combination(_ w: [Double], _ k: [Tensor]) -> Tensor {
        var sum: Tensor?
        for (j, weight) in w.enumerated() where weight != 0 && j < k.count {
            let term = k[j] * Float(weight)
            sum = sum.map { $0 + term } ?? term
        }
        return sum ?? Tensor.zeros(k[0].shape)
    }
}

/// Per-row values `[N]` as a `[N, 1, …]` column that broadcasts against `y` of shape `[N, …]`.
public func perRowColumn(_ values: [Double], like y: Tensor) -> Tensor {
    Tensor(values.map { Float($0) }, shape: [y.shape[0]] + Array(repeating: 1, count: Swift.max(y.rank - 1, 0)))
}

/// One fixed step of an explicit Runge–Kutta method on the probability-flow ODE, or the final
/// denoising step x̂₀(x, t) when the step ends at t = 0.
public func probabilityFlowStep(
    _ tableau: ButcherTableau, _ x: Tensor, over step: TimeStep, process: some ReverseProcess
) throws(SamplingError) -> Tensor {
    if step.end == 0 { return process.denoised(x, at: step.start) }
    let field = ProbabilityFlowField(process: process)
    let n = x.shape[0]
    let times = Array(repeating: step.start, count: n)
    let sizes = Array(repeating: step.size, count: n)
    let velocity = field.velocity(x, at: times)
    let k = try tableau.stages(
        count: tableau.solutionStageCount, x, velocity: velocity, times: times, sizes: sizes, field: field)
    return tableau.solution(x, stages: k, sizes: sizes)
}
