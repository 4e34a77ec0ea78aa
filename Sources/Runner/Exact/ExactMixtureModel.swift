import Foundation
import ScoreKitCore
import ScoreKitNetworks

/// The exact denoiser of a Gaussian mixture as a `ScoreModel`, in the output target of a
/// parameterization (see `ExactMixtureArchitecture` for the formulas).
///
/// Each component is taken in its principal axes, Σ_k = U_k·diag(λ_k)·U_kᵀ: with
/// y_k = U_kᵀ(x − α·μ_k) and c_k = α²·λ_k + σ², log N_k = −½·Σ log c_k − ½·Σ y_k²/c_k (+ const)
/// and E[x₀ | x_t, k] = μ_k + α·U_k·(λ_k/c_k ⊙ y_k). Without rotations (every Σ_k isotropic or
/// diagonal) U_k = I and the products are skipped.
struct ExactMixtureModel<SDE: ForwardSDE, Target: Parameterization>: ScoreModel {
    /// μ_k, `[1, K, d]`.
    let means: Tensor
    /// λ_k, the variances along the principal axes, `[1, K, d]`.
    let variances: Tensor
    /// U_k row-major (eigenvector j in column j), `[1, K, d, d]`; nil when every U_k = I.
    let rotations: Tensor?
    /// log w_k, `[1, K]`.
    let logWeights: Tensor
    let sde: SDE
    let parameterization: Target

    func callAsFunction(_ input: Tensor, _ condition: NoiseCondition) -> Tensor {
        let (n, k, d) = (input.shape[0], means.shape[1], means.shape[2])
        let times = condition.time.scalars
        let alphas = condition.signalScale.scalars
        let sigmas = condition.noiseScale.scalars
        let preconditioning = (0..<n).map { i in
            let derivatives = sde.marginal(at: Double(times[i]))
            return parameterization.preconditioning(
                for: Marginal(
                    signalScale: Double(alphas[i]), noiseScale: Double(sigmas[i]),
                    signalScaleDerivative: derivatives.signalScaleDerivative,
                    noiseScaleDerivative: derivatives.noiseScaleDerivative))
        }
        func column(_ value: (Preconditioning) -> Double) -> Tensor {
            Tensor(preconditioning.map { Float(value($0)) }, shape: [n, 1])
        }
        let x = input.reshaped([n, d]) / column(\.inputScale)
        let (logits, rotated, c) = componentTerms(x, condition)
        let alpha = condition.signalScale.reshaped([n, 1, 1])
        let shifted = exp(logits - logits.max(alongAxis: 1, keepingDimension: true).detached())
        let posterior = shifted / shifted.sum(alongAxis: 1, keepingDimension: true)  // [N, K]
        let shrunk = alpha * variances / c * rotated  // α·λ_k/c_k ⊙ y_k, [N, K, d]
        let componentMeans =
            means + (rotations.map { (shrunk.reshaped([n, k, 1, d]) * $0).sum(alongAxis: 3) } ?? shrunk)
        let denoised = (posterior.reshaped([n, k, 1]) * componentMeans).sum(alongAxis: 1)  // [N, d]
        return ((denoised - column(\.skipScale) * x) / column(\.outputScale)).reshaped(input.shape)
    }

    /// log w_k + log N(x; α·μ_k, C_k) up to −(d/2)·log 2π (`[N, K]`), y_k = U_kᵀ(x − α·μ_k)
    /// (`[N, K, d]`) and c_k = α²·λ_k + σ² (`[N, K, d]`), for x `[N, d]` in the process's
    /// coordinates.
    private func componentTerms(_ x: Tensor, _ condition: NoiseCondition) -> (Tensor, Tensor, Tensor) {
        let (n, k, d) = (x.shape[0], means.shape[1], means.shape[2])
        let alpha = condition.signalScale.reshaped([n, 1, 1])
        let noiseVariance = square(condition.noiseScale).reshaped([n, 1, 1])
        let c = alpha * alpha * variances + noiseVariance  // [N, K, d]
        let difference = x.reshaped([n, 1, d]) - alpha * means
        let rotated = rotations.map { (difference.reshaped([n, k, d, 1]) * $0).sum(alongAxis: 2) } ?? difference
        let logits = logWeights - 0.5 * log(c).sum(alongAxis: 2) - 0.5 * (rotated * rotated / c).sum(alongAxis: 2)
        return (logits, rotated, c)
    }
}

extension ExactMixtureModel: LogDensityModel {
    /// log p_t(x) and the model's output at c_in·x; the model knows its own preconditioning.
    func logDensityAndOutput(
        _ x: Tensor, _ condition: NoiseCondition, marginal: Marginal, preconditioning: Preconditioning
    ) -> (logDensity: Tensor, output: Tensor) {
        let input = preconditioning.inputScale == 1 ? x : x * Float(preconditioning.inputScale)
        return (logDensity(x, condition), self(input, condition))
    }

    /// log p_t(x) = log Σ_k w_k N(x; α·μ_k, C_k), by log-sum-exp over the components.
    func logDensity(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        let (n, d) = (x.shape[0], means.shape[2])
        let (logits, _, _) = componentTerms(x.reshaped([n, d]), condition)
        let largest = logits.max(alongAxis: 1, keepingDimension: true).detached()
        let logSum = log(exp(logits - largest).sum(alongAxis: 1, keepingDimension: true)) + largest
        return logSum.reshaped([n]) - Float(0.5 * Double(d) * Foundation.log(2 * Double.pi))
    }
}

/// The model of `mixture`, or an error for a component with a zero variance along some axis.
func makeExactMixtureModel(
    mixture: GaussianMixture, sde: any ForwardSDE, parameterization: any Parameterization
) throws(RunModelError) -> any ScoreModel {
    let (k, d) = (mixture.componentCount, mixture.dimension)
    let axes = (0..<k).map { mixture.principalAxes(ofComponent: $0) }
    guard axes.allSatisfy({ $0.variances.allSatisfy { $0 > 0 } }) else {
        throw .exactModel(
            reason: "network 'exact-mixture' needs components of variance > 0 along every axis (a degenerate "
                + "component has no density at t = 0)",
            hint: "give every component positive standard deviations, variances or a positive-definite covariance")
    }
    var rotations: Tensor?
    if axes.contains(where: { $0.rotation != nil }) {
        let identity = (0..<(d * d)).map { $0 / d == $0 % d ? 1.0 : 0.0 }
        rotations = Tensor(axes.flatMap { ($0.rotation ?? identity).map(Float.init) }, shape: [1, k, d, d])
    }
    return buildExactMixtureModel(
        means: Tensor(mixture.means.flatMap { $0.map(Float.init) }, shape: [1, k, d]),
        variances: Tensor(axes.flatMap { $0.variances.map(Float.init) }, shape: [1, k, d]), rotations: rotations,
        logWeights: Tensor(mixture.weights.map { Float(Foundation.log($0)) }, shape: [1, k]), sde: sde,
        parameterization: parameterization)
}

private func buildExactMixtureModel<S: ForwardSDE, P: Parameterization>(
    means: Tensor, variances: Tensor, rotations: Tensor?, logWeights: Tensor, sde: S, parameterization: P
) -> any ScoreModel {
    ExactMixtureModel<S, P>(
        means: means, variances: variances, rotations: rotations, logWeights: logWeights, sde: sde,
        parameterization: parameterization)
}
