/// Normalisation layers as fused operations.
extension Tensor {
    /// Group normalisation (Wu & He 2018) of x [N, C, …] over G groups of C/G channels, with a
    /// per-channel scale γ and shift β ([C]); PyTorch's `group_norm(x, G, γ, β, ε)`.
    ///
    /// ```
    /// μ_g = mean_{c∈g, p} x_{c,p},   v_g = mean_{c∈g, p} (x_{c,p} − μ_g)²      (biased)
    /// y_{c,p} = (x_{c,p} − μ_g)/√(v_g + ε)·γ_c + β_c
    /// ```
    /// One pass for the statistics and one for y; training keeps μ and 1/√(v + ε) per group, so
    /// the first-order backward is two passes. When the backward is itself recorded (double
    /// backward) it is composed from differentiable operations, so the op differentiates to any
    /// order. Statistics accumulate in Double.
    public static func groupNormalization(
        _ x: Tensor, groupCount: Int, weight: Tensor, bias: Tensor, epsilon: Float = 1e-5
    ) -> Tensor {
        precondition(x.rank >= 2, "groupNormalization needs [N, C, …], got \(x.shape)")
        let (batch, channels) = (x.shape[0], x.shape[1])
        precondition(
            groupCount > 0 && channels % groupCount == 0,
            "groupNormalization: \(groupCount) groups must divide \(channels) channels")
        precondition(
            weight.shape == [channels] && bias.shape == [channels],
            "groupNormalization: weight \(weight.shape) and bias \(bias.shape) should be [\(channels)]")
        let positions = x.rank == 2 ? 1 : x.shape[2...].reduce(1, *)
        let mean = TensorStorage(uninitializedCount: batch * groupCount)
        let inverse = TensorStorage(uninitializedCount: batch * groupCount)
        let result = Tensor(shape: x.shape) { out in
            GroupNormKernels.forward(
                x.storage.base, gamma: weight.storage.base, beta: bias.storage.base, out.baseAddress!,
                mean: mean.base, inverseDeviation: inverse.base, batch: batch, channels: channels,
                groups: groupCount, positions: positions, epsilon: epsilon)
        }
        return Autodiff.nary([x, weight, bias], result: result) { g, needed in
            guard Autodiff.isRecording else {
                let gx = TensorStorage(uninitializedCount: x.scalarCount)
                let gw = TensorStorage(uninitializedCount: channels)
                let gb = TensorStorage(uninitializedCount: channels)
                GroupNormKernels.backward(
                    x.storage.base, gamma: weight.storage.base, g.storage.base, mean: mean.base,
                    inverseDeviation: inverse.base, gradientX: gx.base, gradientGamma: gw.base, gradientBeta: gb.base,
                    batch: batch, channels: channels, groups: groupCount, positions: positions)
                return [
                    needed[0] ? Tensor(shape: x.shape, storage: gx) : nil,
                    needed[1] ? Tensor(shape: [channels], storage: gw) : nil,
                    needed[2] ? Tensor(shape: [channels], storage: gb) : nil,
                ]
            }
            // Recorded: the same formulas from differentiable operations.
            let grouped = x.reshaped([batch, groupCount, -1])
            let centered = grouped - grouped.mean(alongAxis: 2, keepingDimension: true)
            let r = 1 / sqrt(square(centered).mean(alongAxis: 2, keepingDimension: true) + epsilon)
            let normalised = centered * r
            let channelShape = [1, channels] + [Int](repeating: 1, count: x.rank - 2)
            let gHat = (g * weight.reshaped(channelShape)).reshaped([batch, groupCount, -1])
            let gx =
                r
                * (gHat - gHat.mean(alongAxis: 2, keepingDimension: true)
                    - normalised * (gHat * normalised).mean(alongAxis: 2, keepingDimension: true))
            let perChannel = [batch, channels, positions]
            return [
                needed[0] ? gx.reshaped(x.shape) : nil,
                needed[1]
                    ? (g.reshaped(perChannel) * normalised.reshaped(perChannel)).sum(alongAxis: 2).sum(alongAxis: 0)
                    : nil,
                needed[2] ? g.reshaped(perChannel).sum(alongAxis: 2).sum(alongAxis: 0) : nil,
            ]
        }
    }
}
