import Foundation
public import ScoreKitCore

/// Encodes data into latents and decodes them back through the probability-flow ODE: the
/// deterministic, invertible map x_ε ↔ x_T of Song et al. (2021), §4.3 ("manipulating latents").
///
/// ```
/// encode   x_T = x_ε + ∫_ε^T F(x_t, t) dt        (forward in time)
/// decode   x_ε = x_T + ∫_T^ε F(x_t, t) dt        (backward, as sampling)
/// ```
/// Both directions use one adaptive solver (`rk45` by default), each sample with its own steps;
/// `roundTrip` reports how far decode(encode(x)) lands from x, which measures the solver's error
/// (the map itself is exact for an exact model). DDIM inversion is the same map integrated
/// with first-order steps.
/// - Limitations: the map is only as invertible as the solver is accurate; near t = ε of VP the
///   flow is fast, so loose tolerances lose detail.
public struct ProbabilityFlowEncoder<Solver: AdaptiveSampler>: Sendable {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// ε, the time of the data end (raised to the process's t_min if below it).
        public var startTime = 1e-5

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard startTime >= 0, startTime.isFinite else {
                throw .outOfRange(key: "startTime", value: "\(startTime)", expected: "a finite number ≥ 0")
            }
        }
    }

    /// The result of `roundTrip`.
    public struct RoundTrip: Sendable {
        /// x_T = encode(x).
        public var latents: Tensor
        /// decode(encode(x)).
        public var reconstruction: Tensor
        /// The root mean square of reconstruction − data over all values.
        public var rootMeanSquareError: Double
        /// Each sample's root mean square error.
        public var sampleErrors: [Double]
        /// The model evaluations of the encoding and of the decoding (each over the whole batch).
        public var evaluationCounts: (encode: Int, decode: Int)
    }

    public let configuration: Configuration
    public let solver: Solver

    /// An encoder integrating with `solver`.
    public init(configuration: Configuration, solver: Solver) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.solver = solver
    }

    /// x_T from data x_ε; `solution` is the latents, counts are model evaluations.
    public func encode(_ data: Tensor, process: some ReverseProcess) throws(SamplingError) -> AdaptiveOutcome {
        try integrate(data, process: process, encoding: true)
    }

    /// x_ε from latents x_T; `solution` is the data.
    public func decode(_ latents: Tensor, process: some ReverseProcess) throws(SamplingError) -> AdaptiveOutcome {
        try integrate(latents, process: process, encoding: false)
    }

    /// Encodes `data`, decodes the latents, and measures the difference.
    public func roundTrip(_ data: Tensor, process: some ReverseProcess) throws(SamplingError) -> RoundTrip {
        let encoded = try encode(data, process: process)
        let decoded = try decode(encoded.solution, process: process)
        let n = data.shape[0]
        let squares = square(decoded.solution - data).reshaped([n, -1]).mean(alongAxis: 1).scalars.map(Double.init)
        return RoundTrip(
            latents: encoded.solution, reconstruction: decoded.solution,
            rootMeanSquareError: (squares.reduce(0, +) / Double(n)).squareRoot(),
            sampleErrors: squares.map { $0.squareRoot() },
            evaluationCounts: (encoded.evaluationCount, decoded.evaluationCount))
    }

    private func integrate(
        _ x: Tensor, process: some ReverseProcess, encoding: Bool
    ) throws(SamplingError)
        -> AdaptiveOutcome
    {
        let range = process.sde.timeRange
        let start = Swift.max(configuration.startTime, range.lowerBound)
        let counted = CountingProcess(base: process)
        var outcome = try runAdaptive(
            solver, field: ProbabilityFlowField(process: counted), sde: process.sde,
            from: encoding ? start : range.upperBound,
            to: encoding ? range.upperBound : start, initial: x)
        guard outcome.solution.isFinite else {
            throw .nonFinite(
                sampler: String(describing: Solver.self), step: 0, stepCount: 1,
                time: encoding ? range.upperBound : start)
        }
        outcome.evaluationCount = counted.evaluationCount
        return outcome
    }
}

extension ProbabilityFlowEncoder where Solver == DormandPrinceSampler {
    /// The defaults: data at t = 1e-5, `rk45` at rtol = atol = 1e-5.
    public init() {
        configuration = Configuration()
        solver = DormandPrinceSampler()
    }

    /// The encoder of `configuration` with `rk45` at its defaults (rtol = atol = 1e-5).
    public init(configuration: Configuration) throws(ConfigurationError) {
        try self.init(configuration: configuration, solver: DormandPrinceSampler())
    }
}
