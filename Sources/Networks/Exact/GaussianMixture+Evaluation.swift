import Foundation
public import ScoreKitCore

extension GaussianMixture {
    /// Everything the mixture knows at one point x of the marginal p_t with signal scale α and
    /// noise scale σ, in Double.
    public struct Evaluation: Sendable {
        /// log p_t(x).
        public var logDensity: Double
        /// p(k | x_t = x) for each component, summing to 1.
        public var posterior: [Double]
        /// ∇ log p_t(x).
        public var score: [Double]
        /// E[x₀ | x_t = x].
        public var denoised: [Double]
        /// ∇ log N(x; α·μ_k, C_k) for each component (∇log p(k | x) = s_k − score).
        public var componentScores: [[Double]]
        /// ∇·∇log p_t(x), the trace of the Hessian of log p_t.
        public var scoreDivergence: Double
    }

    /// The mixture's exact quantities at `x` under the marginal with scales (α, σ).
    public func evaluation(at x: [Double], signalScale alpha: Double, noiseScale sigma: Double) -> Evaluation {
        precondition(x.count == dimension, "a point of dimension \(x.count) for a mixture of dimension \(dimension)")
        let (k, d) = (componentCount, dimension)
        let workspace = MixtureWorkspace(componentCount: k, dimension: d)
        let (logDensity, divergence) = x.withUnsafeBufferPointer {
            workspace.evaluate(storage, at: $0.baseAddress!, alpha: alpha, sigma: sigma)
        }
        return Evaluation(
            logDensity: logDensity, posterior: Array(UnsafeBufferPointer(start: workspace.posterior, count: k)),
            score: Array(UnsafeBufferPointer(start: workspace.score, count: d)),
            denoised: Array(UnsafeBufferPointer(start: workspace.denoised, count: d)),
            componentScores: (0..<k).map {
                Array(UnsafeBufferPointer(start: workspace.componentScores + $0 * d, count: d))
            },
            scoreDivergence: divergence)
    }

    /// The mixture's exact quantities at `x` under `marginal`.
    public func evaluation(at x: [Double], marginal: Marginal) -> Evaluation {
        evaluation(at: x, signalScale: marginal.signalScale, noiseScale: marginal.noiseScale)
    }

    /// The exact `prediction` (ε, score, x₀, v or u) at `x`, in Double.
    ///
    /// ```
    /// ε = −σ·∇log p_t,   v = α·ε − σ·x̂₀,   u = α'·x̂₀ + σ'·ε
    /// ```
    public func value(_ prediction: Prediction, at x: [Double], marginal m: Marginal) -> [Double] {
        let e = evaluation(at: x, marginal: m)
        let epsilon = e.score.map { -m.noiseScale * $0 }
        switch prediction {
        case .score: return e.score
        case .denoised: return e.denoised
        case .epsilon: return epsilon
        case .velocity: return (0..<dimension).map { m.signalScale * epsilon[$0] - m.noiseScale * e.denoised[$0] }
        case .flowVelocity:
            return (0..<dimension).map {
                m.signalScaleDerivative * e.denoised[$0] + m.noiseScaleDerivative * epsilon[$0]
            }
        }
    }

    /// The probability-flow ODE velocity f − ½g²·∇log p_t at `x` (Song et al. 2021, eq. 13), in Double.
    public func probabilityFlowVelocity(at x: [Double], marginal m: Marginal) -> [Double] {
        let score = evaluation(at: x, marginal: m).score
        return (0..<dimension).map { m.driftCoefficient * x[$0] - 0.5 * m.diffusionSquared * score[$0] }
    }

    /// ∇·(f − ½g²·∇log p_t) = d·α'/α − ½g²·∇·∇log p_t at `x`: the exact divergence that the
    /// instantaneous change of variables integrates for likelihoods.
    public func probabilityFlowDivergence(at x: [Double], marginal m: Marginal) -> Double {
        Double(dimension) * m.driftCoefficient - 0.5 * m.diffusionSquared
            * evaluation(at: x, marginal: m).scoreDivergence
    }

}
