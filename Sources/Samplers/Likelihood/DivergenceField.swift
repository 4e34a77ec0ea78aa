import ScoreKitCore

/// The probability-flow ODE augmented with its divergence: the instantaneous change of
/// variables (Chen et al. 2018; Song et al. 2021, eq. 39), a `VectorField` on rows [x, a₁…a_K].
///
/// ```
/// dx/dt = F(x, t),   da_k/dt = ∇·F(x, t)
/// exact        ∇·F = Σⱼ eⱼᵀ(∂F/∂x)eⱼ            d vector–Jacobian products with one-hot seeds eⱼ
/// Hutchinson   ∇·F ≈ z_kᵀ(∂F/∂x)z_k             one product per probe z_k, E[zzᵀ] = I (K columns)
/// ```
/// Each product is one backward pass through the model (`gradients(of:wrt:seed:)`) with x
/// tracked and the model's parameters left untracked, so no parameter gradient is computed.
/// The probes are fixed for the whole solve (FFJORD, score_sde), so the field is smooth in t.
struct DivergenceField<Process: ReverseProcess>: VectorField {
    let process: Process
    /// The shape of the batch of samples, `[N, …]`.
    let sampleShape: [Int]
    /// d, the values per sample.
    let dimension: Int
    /// Hutchinson's probes, each shaped like the batch; empty for the exact divergence.
    let probes: [Tensor]
    /// The name in errors.
    let estimator: String

    /// The field for the samples `rows`: their probes, through the process restricted to them.
    func restricted(toRows rows: [Int]) -> DivergenceField? {
        guard let part = process.restricted(toRows: rows) else { return nil }
        return DivergenceField(
            process: part, sampleShape: [rows.count] + sampleShape.dropFirst(), dimension: dimension,
            probes: probes.map { $0.gathering(rows: rows) }, estimator: estimator)
    }

    /// Backward passes per evaluation: d (exact) or K (Hutchinson).
    var backwardPassCount: Int { probes.isEmpty ? dimension : probes.count }

    func velocity(_ y: Tensor, at times: [Double]) throws(SamplingError) -> Tensor {
        try augmentedVelocity(y, at: times) { process.denoised($0, at: times) }
    }

    /// The same with the model evaluated under a shared condition (`NoiseCondition.isShared`).
    func velocity(_ y: Tensor, atSharedTime time: Double) throws(SamplingError) -> Tensor {
        try augmentedVelocity(y, at: Array(repeating: time, count: sampleShape[0])) { process.denoised($0, at: time) }
    }

    /// [F, divergences] with x̂₀ from `denoise`.
    private func augmentedVelocity(
        _ y: Tensor, at times: [Double], denoise: (Tensor) -> Tensor
    ) throws(SamplingError) -> Tensor {
        let n = sampleShape[0]
        let x = y.slice(alongAxis: 1, 0..<dimension).reshaped(sampleShape).tracked()
        return try Autodiff.withRecording { () throws(SamplingError) -> Tensor in
            let denoised = denoise(x)
            // The velocity is tracked through its explicit x terms anyway; without x̂₀ on the tape
            // the divergence would silently miss ∂x̂₀/∂x.
            guard denoised.isTracked else { throw .notDifferentiable(estimator: estimator) }
            let v = process.probabilityFlowVelocity(x, denoised: denoised, at: times)
            var columns = [v.detached().reshaped([n, dimension])]
            if probes.isEmpty {
                var total = Tensor.zeros([n])
                for j in 0..<dimension {
                    let seed = oneHot(column: j)
                    let g = gradients(of: v, wrt: [x], seed: seed)[0]
                    total = total + (g * seed).reshaped([n, dimension]).sum(alongAxis: 1)
                }
                columns.append(total.reshaped([n, 1]))
            } else {
                for z in probes {
                    let g = gradients(of: v, wrt: [x], seed: z)[0]
                    columns.append((g * z).reshaped([n, dimension]).sum(alongAxis: 1).reshaped([n, 1]))
                }
            }
            return Tensor.concatenate(columns, alongAxis: 1)
        }
    }

    /// 1 at value j of every sample, 0 elsewhere, shaped like the batch.
    private func oneHot(column j: Int) -> Tensor {
        Tensor(shape: sampleShape) { buffer in
            buffer.initialize(repeating: 0)
            for row in 0..<sampleShape[0] { buffer[row * dimension + j] = 1 }
        }
    }
}
