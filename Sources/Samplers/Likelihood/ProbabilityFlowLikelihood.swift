import Foundation
public import ScoreKitCore

/// log p(x) of data under a model, through its probability-flow ODE run from the data (t = ε)
/// to the prior (t = T) with the divergence alongside (Song et al. 2021, §4.3 and App. D.2).
///
/// ```
/// d/dt [x, a] = [F(x, t), ∇·F(x, t)],   x(ε) = data,  a(ε) = 0
/// log p_ε(x) = log p_T(x(T)) + a(T)
/// ```
/// The divergence is exact (d backward passes per evaluation; the default up to d = 16) or
/// Hutchinson's unbiased estimate with K probes (Gaussian or Rademacher), reported with its
/// standard error; see `DivergenceField`. The ODE is integrated forward by any adaptive solver
/// (`rk45` with rtol = atol = 1e-5 by default, as score_sde), each point with its own steps, so a
/// point's estimate does not depend on the batch. Results: `LikelihoodEstimate` (nats per point,
/// bits per dimension, with a dequantisation offset for discrete data).
/// - Limitations: the model must be differentiable in x (built from `Tensor` operations);
///   log p_T uses the process's prior N(0, σ(T)²·I), whose mismatch with the true p_T is the
///   bias of score_sde's estimator too; the value is log p at t = ε, not at t = 0.
public struct ProbabilityFlowLikelihood<Solver: AdaptiveSampler>: Sendable {
    /// How ∇·F is computed.
    public enum Divergence: String, Codable, Sendable, CaseIterable {
        /// Exact up to d = 16 values per point, Hutchinson's estimate above.
        case automatic
        /// Σⱼ ∂F_j/∂x_j by d vector–Jacobian products.
        case exact
        /// zᵀ(∂F/∂x)z with `probeCount` probes.
        case hutchinson
    }

    /// The distribution of Hutchinson's probes.
    public enum Probe: String, Codable, Sendable, CaseIterable {
        /// ±1 with probability ½ (lower variance; score_sde's default).
        case rademacher
        /// Standard normal.
        case gaussian
    }

    public struct Configuration: ComponentConfiguration, Equatable {
        /// The divergence: exact, Hutchinson's estimate, or exact for small d.
        public var divergence = Divergence.automatic
        /// The probes' distribution (Hutchinson only).
        public var probe = Probe.rademacher
        /// K, the number of probes (Hutchinson only); K ≥ 2 gives each point a standard error.
        public var probeCount = 1
        /// ε, where the data sits (raised to the process's t_min if below it); score_sde's `eps`.
        public var startTime = 1e-5
        /// Δ, the bin width of discrete data (2/256 for 8-bit data in [−1, 1]); 0 for continuous data.
        public var quantizationBinWidth = 0.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requireCount(probeCount, key: "probeCount", atMost: SizeCeiling.projections, of: "probe counts")
            guard startTime >= 0, startTime.isFinite else {
                throw .outOfRange(key: "startTime", value: "\(startTime)", expected: "a finite number ≥ 0")
            }
            guard quantizationBinWidth >= 0, quantizationBinWidth.isFinite else {
                throw .outOfRange(
                    key: "quantizationBinWidth", value: "\(quantizationBinWidth)",
                    expected: "a finite number ≥ 0 (0 for continuous data)")
            }
        }
    }

    /// The largest d for which `automatic` computes the exact divergence.
    public static var largestExactDimension: Int { 16 }

    public let configuration: Configuration
    /// The adaptive solver of the augmented ODE.
    public let solver: Solver

    public init(configuration: Configuration, solver: Solver) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.solver = solver
    }

    /// log p(x) of each point of `data` (`[N, …]`) under `process`; `noise` draws the probes.
    public func estimate(
        _ data: Tensor, process: some ReverseProcess, noise: inout some NoiseSource
    )
        throws(SamplingError) -> LikelihoodEstimate
    {
        let n = data.shape[0]
        let d = data.scalarCount / n
        let exact =
            configuration.divergence == .exact
            || (configuration.divergence == .automatic && d <= Self.largestExactDimension)
        let probes: [Tensor] =
            exact
            ? []
            : (0..<configuration.probeCount).map { _ in
                configuration.probe == .gaussian ? noise.normal(data.shape) : noise.rademacher(data.shape)
            }
        let columns = exact ? 1 : probes.count
        let sde = process.sde
        let start = Swift.max(configuration.startTime, sde.timeRange.lowerBound)
        let counted = CountingProcess(base: process)
        let field = DivergenceField(
            process: counted, sampleShape: data.shape, dimension: d, probes: probes,
            estimator: "ProbabilityFlowLikelihood")
        let initial = Tensor.concatenate(
            [data.detached().reshaped([n, d]), Tensor.zeros([n, columns])], alongAxis: 1)
        let outcome = try runAdaptive(
            solver, field: field, sde: sde, from: start, to: sde.timeRange.upperBound, initial: initial)
        let latents = outcome.solution.slice(alongAxis: 1, 0..<d).reshaped(data.shape)
        guard latents.isFinite, outcome.solution.isFinite else {
            throw .nonFinite(
                sampler: String(describing: Solver.self), step: 0, stepCount: 1, time: sde.timeRange.upperBound)
        }
        let prior = sde.priorLogDensity(latents).scalars.map(Double.init)
        let integrals = outcome.solution.slice(alongAxis: 1, d..<(d + columns)).scalars.map(Double.init)
        var values: [Double] = []
        var errors: [Double] = []
        for i in 0..<n {
            let estimates = (0..<columns).map { prior[i] + integrals[i * columns + $0] }
            let mean = estimates.reduce(0, +) / Double(columns)
            values.append(mean)
            if exact {
                errors.append(0)
            } else if columns < 2 {
                errors.append(.nan)
            } else {
                let variance = estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(columns - 1)
                errors.append((variance / Double(columns)).squareRoot())
            }
        }
        return LikelihoodEstimate(
            logLikelihoods: values, standardErrors: errors, priorLogDensities: prior, latents: latents,
            dimension: d, quantizationBinWidth: configuration.quantizationBinWidth,
            evaluationCount: counted.evaluationCount, sampleEvaluationCounts: outcome.sampleEvaluationCounts,
            backwardPassesPerEvaluation: field.backwardPassCount)
    }
}

extension ProbabilityFlowLikelihood where Solver == DormandPrinceSampler {
    /// The defaults: exact divergence for d ≤ 16, from t = 1e-5, with `rk45` at rtol = atol = 1e-5.
    public init() {
        configuration = Configuration()
        solver = DormandPrinceSampler()
    }

    /// The likelihood of `configuration` with `rk45` at its defaults (rtol = atol = 1e-5).
    public init(configuration: Configuration) throws(ConfigurationError) {
        try self.init(configuration: configuration, solver: DormandPrinceSampler())
    }
}
