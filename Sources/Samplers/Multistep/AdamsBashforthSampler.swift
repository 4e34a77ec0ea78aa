public import ScoreKitCore

/// Adams–Bashforth linear multistep methods, orders 2–4, on the probability-flow ODE in t, with
/// variable steps and a Runge–Kutta start.
///
/// ```
/// F_j = F(x_j, t_j) (the probability-flow velocity),  h = t_{n+1} − t_n
/// x_{n+1} = x_n + h·Σ_{j<k} b_j·F_{n−j},   b_j = (1/h)∫_{t_n}^{t_{n+1}} ℓ_j(t) dt
/// ℓ_j: the Lagrange basis polynomial of degree k − 1 on the nodes t_n, t_{n−1}, …, t_{n−k+1}
/// first k − 1 steps: the classical RK4 (k₁ = F_n, three more evaluations), recording F_n
/// final step to t = 0: x₀ = x̂₀(x, t)
/// ```
/// On an even grid b is the textbook table (k = 2: 3/2, −1/2; k = 3: 23/12, −16/12, 5/12); on any
/// grid the integral of the interpolating polynomial is taken exactly (two-point Gauss–Legendre,
/// exact to degree 3). One evaluation per step after the start: N + 3(k − 1) for N steps.
/// - Limitations: explicit multistep methods have small stability regions; near the data end of
///   VP-type processes, where the flow contracts fast in t, they need grids that refine there
///   (`log-snr`, `karras`). The exponential multistep methods (`dpm-solver-plus-plus`, `unipc`)
///   integrate that contraction exactly and are the better choice per evaluation.
public struct AdamsBashforthSampler: Sampler {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// k, the number of steps the method combines and its order: 2, 3 or 4.
        public var order = 3

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard (2...4).contains(order) else {
                throw .outOfRange(key: "order", value: "\(order)", expected: "2, 3 or 4")
            }
        }
    }

    /// The last k − 1 velocities and their times, most recent last.
    public struct State: Sendable {
        var velocities: [Tensor] = []
        var times: [Double] = []
    }

    public let configuration: Configuration

    /// Third order.
    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var order: Int? { configuration.order }

    public func initialState(for problem: SamplingProblem) -> State { State() }

    public func evaluationCount(forStepCount stepCount: Int) -> Int {
        stepCount + 3 * Swift.min(configuration.order - 1, stepCount)
    }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout State, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        if step.end == 0 { return process.denoised(x, at: step.start) }
        let (t, h) = (step.start, step.size)
        let f = process.probabilityFlowVelocity(x, at: t)
        let k = configuration.order
        let result: Tensor
        if state.velocities.count < k - 1 {
            let k2 = process.probabilityFlowVelocity(x + f * Float(h / 2), at: t + h / 2)
            let k3 = process.probabilityFlowVelocity(x + k2 * Float(h / 2), at: t + h / 2)
            let k4 = process.probabilityFlowVelocity(x + k3 * Float(h), at: t + h)
            result = x + (f + k2 * 2 + k3 * 2 + k4) * Float(h / 6)
        } else {
            let nodes = [t] + state.times.reversed()
            let velocities = [f] + state.velocities.reversed()
            let weights = Self.weights(nodes: nodes, from: t, to: step.end)
            var sum = velocities[0] * Float(weights[0])
            for j in 1..<k { sum = sum + velocities[j] * Float(weights[j]) }
            result = x + sum * Float(h)
        }
        state.velocities.append(f)
        state.times.append(t)
        if state.velocities.count > k - 1 {
            state.velocities.removeFirst()
            state.times.removeFirst()
        }
        return result
    }

    /// b_j = (1/h)∫ ℓ_j over [start, end] for the Lagrange basis on `nodes` (at most 4 nodes:
    /// degree ≤ 3, which two-point Gauss–Legendre integrates exactly).
    static func weights(nodes: [Double], from start: Double, to end: Double) -> [Double] {
        let h = end - start
        let points = [-1 / 3.0.squareRoot(), 1 / 3.0.squareRoot()].map { start + h * (1 + $0) / 2 }
        return nodes.indices.map { j in
            points.reduce(0) { total, t in
                var basis = 1.0
                for m in nodes.indices where m != j { basis *= (t - nodes[m]) / (nodes[j] - nodes[m]) }
                return total + basis / 2
            }
        }
    }
}

extension AdamsBashforthSampler: RegisteredComponent {
    public static let id: ComponentID = "adams-bashforth"
    public static let summary = "Adams–Bashforth multistep on the probability-flow ODE, orders 2–4, variable steps"
}
