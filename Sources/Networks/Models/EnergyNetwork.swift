public import ScoreKitCore

/// An energy-based model: a scalar network E_θ(u, t) whose output is its negative input gradient,
/// computed by reverse-mode differentiation inside the forward pass.
///
/// ```
/// E_θ(u, c) = W_out·h_L + b_out                    the seed's MLP trunk with one output
/// F_θ(u, c) = −∇_u E_θ(u, c)                        the model's output, shaped like u
/// ```
/// F is what every parameterization reads (x̂₀ = c_skip·x + c_out·F_θ(c_in·x)), so the model
/// trains with every denoising loss: when the loss is recorded for training, the gradient is
/// recorded too (`createGraph: true`) and the loss's gradient with respect to θ differentiates
/// through it (double backward), as sliced score matching does. The field is conservative by
/// construction, so the process knows its log-density (`LogDensityModel`):
///
/// ```
/// log p_t(x) = a/2·‖x‖² − (b/c_in)·E_θ(c_in·x, t) + c(t),   a = (α·c_skip − 1)/σ²,   b = α·c_out/σ²
/// ```
/// which is −E_θ(x, t) for the `score` parameterization (a = 0, b = 1, c_in = 1): the score is
/// −∇ₓE_θ. For `epsilon` it is E_θ/σ (ε̂ = −∇E_θ), for `edm` the preconditioned form above.
///
/// Parameters are the trunk's, with the same names as `mlp`'s (`emb1`, `emb2`, `l1` … `l(L+1)`);
/// the output layer `l(L+1)` has one row. Samples never interact, so E_θ summed over the batch
/// has row i's gradient in row i.
/// - Note: Salimans & Ho (2021), "Should EBMs model the energy or the score?"; Song & Ermon's
///   NCSN papers discuss the same conservative fields.
/// - Limitations: an evaluation costs a forward and a backward pass (about 2–3 times a score
///   MLP's), and training a double backward (about 2–3 times a DSM step); inference never takes the
///   MLP's panel path, which only serves untracked evaluations.
public struct EnergyNetwork: TrainableModel {
    /// The scalar trunk E_θ: the seed's MLP with one output.
    private var trunk: NoiseConditionalMLP
    /// d, the values per sample.
    public let dimension: Int

    public var parameters: ParameterSet {
        get { trunk.parameters }
        set { trunk.parameters = newValue }
    }

    /// An energy network with fresh parameters drawn from `seed` (as `NoiseConditionalMLP`).
    public init(
        dimension: Int, embeddingWidth: Int = 32, hiddenWidths: [Int] = [256, 256, 256],
        conditioning: NoiseConditionalMLP.ConditioningInput = .logNoiseLevel, classCount: Int = 0, seed: UInt64
    ) {
        self.dimension = dimension
        trunk = NoiseConditionalMLP(
            dimension: dimension, embeddingWidth: embeddingWidth, hiddenWidths: hiddenWidths,
            conditioning: conditioning, classCount: classCount, outputCount: 1, seed: seed)
    }

    /// E_θ(u, condition) per sample, `[N]`, for a batch `u` of shape `[N, …]` (read flat).
    public func energy(_ input: Tensor, _ condition: NoiseCondition) -> Tensor {
        let n = input.shape[0]
        return trunk(input.reshaped([n, dimension]), condition).reshaped([n])
    }

    /// E_θ(u) per sample and F_θ(u) = −∇_u E_θ(u), shaped like `u`, from one forward and one
    /// backward pass.
    ///
    /// While recording (training), a tracked `u` is differentiated as it is (so ∇ₓ of the output
    /// reaches the caller's x, as implicit score matching needs) and the backward pass is recorded,
    /// so both results depend on θ and u on the tape. Otherwise (sampling) the pass records only
    /// itself and both results are plain values.
    public func energyAndOutput(_ input: Tensor, _ condition: NoiseCondition) -> (energy: Tensor, output: Tensor) {
        let createGraph = Autodiff.isRecording
        let u = createGraph && input.isTracked ? input : input.detached().tracked()
        return Autodiff.withRecording {
            let e = energy(u, condition)
            let g = gradients(of: e, wrt: [u], createGraph: createGraph)[0]
            return createGraph ? (e, -g) : (e.detached(), -g.detached())
        }
    }

    /// F_θ(u) = −∇_u E_θ(u).
    public func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        energyAndOutput(x, condition).output
    }
}

extension EnergyNetwork: LogDensityModel {
    /// log p_t(x) = a/2·‖x‖² − (b/c_in)·E_θ(c_in·x) (see the type's comment) and F_θ(c_in·x),
    /// with a and b formed in Double from the marginal.
    /// - Precondition: σ > 0 and c_in ≠ 0.
    public func logDensityAndOutput(
        _ x: Tensor, _ condition: NoiseCondition, marginal m: Marginal, preconditioning c: Preconditioning
    ) -> (logDensity: Tensor, output: Tensor) {
        precondition(m.noiseScale > 0, "an energy's log-density needs σ > 0, got σ = \(m.noiseScale)")
        precondition(c.inputScale != 0, "an energy's log-density needs c_in ≠ 0")
        let input = c.inputScale == 1 ? x : x * Float(c.inputScale)
        let (e, output) = energyAndOutput(input, condition)
        let variance = m.noiseScale * m.noiseScale
        let a = (m.signalScale * c.skipScale - 1) / variance
        let b = m.signalScale * c.outputScale / variance
        let logDensity = e * Float(-b / c.inputScale)
        guard a != 0 else { return (logDensity, output) }
        let squaredNorms = square(x).reshaped([x.shape[0], -1]).sum(alongAxis: 1)
        return (logDensity + squaredNorms * Float(a / 2), output)
    }
}
