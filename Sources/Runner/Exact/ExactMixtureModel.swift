import Foundation
import ScoreKitCore
import ScoreKitNetworks

/// The exact denoiser of an isotropic or diagonal Gaussian mixture as a `ScoreModel`, in the
/// output target of a parameterization (see `ExactMixtureArchitecture` for the formulas).
struct ExactMixtureModel<SDE: ForwardSDE, Target: Parameterization>: ScoreModel {
    /// μ_k, `[1, K, d]`.
    let means: Tensor
    /// v_k, the per-dimension variances, `[1, K, d]`.
    let variances: Tensor
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
        let (logits, difference, c) = componentTerms(x, condition)
        let alpha = condition.signalScale.reshaped([n, 1, 1])
        let shifted = exp(logits - logits.max(alongAxis: 1, keepingDimension: true).detached())
        let posterior = shifted / shifted.sum(alongAxis: 1, keepingDimension: true)  // [N, K]
        let componentMeans = means + alpha * variances / c * difference
        let denoised = (posterior.reshaped([n, k, 1]) * componentMeans).sum(alongAxis: 1)  // [N, d]
        return ((denoised - column(\.skipScale) * x) / column(\.outputScale)).reshaped(input.shape)
    }

    /// log w_k + log N(x; α·μ_k, C_k) up to −(d/2)·log 2π (`[N, K]`), x − α·μ_k (`[N, K, d]`) and
    /// C_k = α²·v_k + σ² (`[N, K, d]`), for x `[N, d]` in the process's coordinates.
    private func componentTerms(_ x: Tensor, _ condition: NoiseCondition) -> (Tensor, Tensor, Tensor) {
        let (n, d) = (x.shape[0], means.shape[2])
        let alpha = condition.signalScale.reshaped([n, 1, 1])
        let noiseVariance = square(condition.noiseScale).reshaped([n, 1, 1])
        let c = alpha * alpha * variances + noiseVariance  // [N, K, d]
        let difference = x.reshaped([n, 1, d]) - alpha * means
        let logits =
            logWeights - 0.5 * log(c).sum(alongAxis: 2) - 0.5 * (difference * difference / c).sum(alongAxis: 2)
        return (logits, difference, c)
    }
}

extension ExactMixtureModel: LogDensityModel {
    /// log p_t(x) = log Σ_k w_k N(x; α·μ_k, C_k), by log-sum-exp over the components.
    func logDensity(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        let (n, d) = (x.shape[0], means.shape[2])
        let (logits, _, _) = componentTerms(x.reshaped([n, d]), condition)
        let largest = logits.max(alongAxis: 1, keepingDimension: true).detached()
        let logSum = log(exp(logits - largest).sum(alongAxis: 1, keepingDimension: true)) + largest
        return logSum.reshaped([n]) - Float(0.5 * Double(d) * Foundation.log(2 * Double.pi))
    }
}

/// The model of `mixture`, or an error for full covariances or a zero variance.
func makeExactMixtureModel(
    mixture: GaussianMixture, sde: any ForwardSDE, parameterization: any Parameterization
) throws(RunModelError) -> any ScoreModel {
    let (k, d) = (mixture.componentCount, mixture.dimension)
    var variances: [Float] = []
    for covariance in mixture.covariances {
        switch covariance {
        case .isotropic(let variance): variances += [Float](repeating: Float(variance), count: d)
        case .diagonal(let values): variances += values.map(Float.init)
        case .full:
            throw .exactModel(
                reason: "network 'exact-mixture' supports isotropic and diagonal components, not full covariances",
                hint: "give data.standardDeviations instead of data.covariances")
        }
    }
    guard variances.allSatisfy({ $0 > 0 }) else {
        throw .exactModel(
            reason: "network 'exact-mixture' needs components of variance > 0 (a point mass has no score)",
            hint: "give every component a standard deviation > 0")
    }
    return buildExactMixtureModel(
        means: Tensor(mixture.means.flatMap { $0.map(Float.init) }, shape: [1, k, d]),
        variances: Tensor(variances, shape: [1, k, d]),
        logWeights: Tensor(mixture.weights.map { Float(Foundation.log($0)) }, shape: [1, k]), sde: sde,
        parameterization: parameterization)
}

private func buildExactMixtureModel<S: ForwardSDE, P: Parameterization>(
    means: Tensor, variances: Tensor, logWeights: Tensor, sde: S, parameterization: P
) -> any ScoreModel {
    ExactMixtureModel<S, P>(
        means: means, variances: variances, logWeights: logWeights, sde: sde, parameterization: parameterization)
}
