public import ScoreKitCore

extension GaussianMixture: ScoreModel {
    /// The exact `prediction` for each sample of `x`, at that sample's own α and σ; α' and σ',
    /// which only `flowVelocity` needs, come from `sde` at the sample's time.
    ///
    /// Pair with the parameterization of the same prediction (c_in = 1): then
    /// `ModelReverseProcess(sde:parameterization:model:)` denoises exactly.
    public func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        let times = condition.time.scalars
        let alphas = condition.signalScale.scalars
        let sigmas = condition.noiseScale.scalars
        precondition(times.count == x.shape[0], "\(times.count) noise conditions for \(x.shape[0]) samples")
        precondition(
            prediction != .flowVelocity || sde != nil,
            "a Gaussian mixture predicting the flow velocity needs α' and σ': set its `sde`")
        let marginals = (0..<times.count).map { i in
            let derivatives = prediction == .flowVelocity ? sde?.marginal(at: Double(times[i])) : nil
            return Marginal(
                signalScale: Double(alphas[i]), noiseScale: Double(sigmas[i]),
                signalScaleDerivative: derivatives?.signalScaleDerivative ?? .nan,
                noiseScaleDerivative: derivatives?.noiseScaleDerivative ?? .nan)
        }
        return mapSamples(x, width: dimension, marginal: { marginals[$0] }) { row, point, _, workspace, out in
            writeValue(self.prediction, point: point, marginal: marginals[row], workspace: workspace, into: out)
        }.reshaped(x.shape)
    }
}

extension GaussianMixture: LogDensityModel {
    /// log p_t(x) and the exact prediction at c_in·x (1 for the parameterization of the same prediction).
    public func logDensityAndOutput(
        _ x: Tensor, _ condition: NoiseCondition, marginal: Marginal, preconditioning: Preconditioning
    ) -> (logDensity: Tensor, output: Tensor) {
        let input = preconditioning.inputScale == 1 ? x : x * Float(preconditioning.inputScale)
        return (logDensity(x, condition), self(input, condition))
    }

    /// log p_t(x) per sample, `[N]`, at each sample's α and σ (in Double, then Float32).
    public func logDensity(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        let alphas = condition.signalScale.scalars
        let sigmas = condition.noiseScale.scalars
        precondition(alphas.count == x.shape[0], "\(alphas.count) noise conditions for \(x.shape[0]) samples")
        return mapSamples(
            x, width: 1,
            marginal: {
                Marginal(
                    signalScale: Double(alphas[$0]), noiseScale: Double(sigmas[$0]), signalScaleDerivative: 0,
                    noiseScaleDerivative: 0)
            }
        ) { _, _, result, _, out in out[0] = Float(result.logDensity) }.reshaped([x.shape[0]])
    }
}
