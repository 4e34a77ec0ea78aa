public import ScoreKitCore

/// The seed's noise-conditional score MLP for low-dimensional data.
///
/// ```
/// e = SiLU(W_e2·SiLU(W_e1·c + b_e1) + b_e2)          c: log σ or t, per sample
/// h₀ = [x, e]
/// hᵢ = SiLU(Wᵢ·hᵢ₋₁ + bᵢ)                            i = 1 … L
/// F(x, c) = W_out·h_L + b_out
/// ```
/// With the defaults (embedding 32, hidden 256 × 3) this is the network of the peer benchmarks
/// (142,178 parameters in 2-D), whose parameters are named `emb1 emb2 l1 … l4` + `.weight`/`.bias`.
///
/// Batches of more than 1,024 rows run in pieces of about 512 rows (activations stay in cache;
/// untracked pieces run in parallel, on panels: `PanelBatch`);
/// a shared condition (`NoiseCondition.isShared`) folds the embedding into the first layer's bias.
///
/// With `classCount` K > 0 it is class-conditional: a learned row per label (and one for
/// `NoiseCondition.nullLabel`, for classifier-free guidance) is added to e, `e ← e + E[y]`
/// (`LabelEmbedding`); its table `labelEmbedding.weight` [K + 1, embedding width] comes last in
/// the parameters and is drawn after all others, so the unconditional parameters are unchanged.
public struct NoiseConditionalMLP: TrainableModel {
    /// What the embedding sees of the noise state.
    public enum ConditioningInput: String, Codable, Sendable, CaseIterable {
        /// log(σ/α), log σ for α = 1 (NCSN).
        case logNoiseLevel
        /// t itself (the score_sde VP models).
        case time
    }

    public var parameters: ParameterSet
    /// The width of the noise embedding.
    public let embeddingWidth: Int
    /// The hidden widths.
    public let hiddenWidths: [Int]
    public let conditioning: ConditioningInput
    /// The number of data dimensions.
    public let dimension: Int
    /// K, the number of classes (0: unconditional).
    public let classCount: Int

    private let embedding: (Linear, Linear)
    private let hidden: [Linear]
    private let output: Linear
    private let labelEmbedding: LabelEmbedding?

    /// A network with fresh parameters drawn from `seed` (PyTorch's default initialisation).
    /// `outputCount` is the output layer's width, `dimension` by default (a score field); 1 gives
    /// a scalar, the trunk of `EnergyNetwork`.
    public init(
        dimension: Int, embeddingWidth: Int = 32, hiddenWidths: [Int] = [256, 256, 256],
        conditioning: ConditioningInput = .logNoiseLevel, zeroOutput: Bool = false, classCount: Int = 0,
        outputCount: Int? = nil, seed: UInt64
    ) {
        precondition(dimension > 0 && embeddingWidth > 0 && !hiddenWidths.isEmpty, "invalid MLP sizes")
        precondition((outputCount ?? dimension) > 0, "the output needs a positive width, got \(outputCount ?? 0)")
        precondition(classCount >= 0, "classCount must be ≥ 0, got \(classCount)")
        self.classCount = classCount
        self.dimension = dimension
        self.embeddingWidth = embeddingWidth
        self.hiddenWidths = hiddenWidths
        self.conditioning = conditioning
        embedding = (
            Linear(name: "emb1", inputCount: 1, outputCount: embeddingWidth),
            Linear(name: "emb2", inputCount: embeddingWidth, outputCount: embeddingWidth)
        )
        var layers: [Linear] = []
        var width = dimension + embeddingWidth
        for (i, next) in hiddenWidths.enumerated() {
            layers.append(Linear(name: "l\(i + 1)", inputCount: width, outputCount: next))
            width = next
        }
        hidden = layers
        output = Linear(name: "l\(hiddenWidths.count + 1)", inputCount: width, outputCount: outputCount ?? dimension)
        var stream = RandomStream(seed: seed, stream: 0)
        var entries = embedding.0.initialParameters(stream: &stream) + embedding.1.initialParameters(stream: &stream)
        for layer in hidden { entries += layer.initialParameters(stream: &stream) }
        entries += output.initialParameters(stream: &stream, zeroInitialized: zeroOutput)
        labelEmbedding =
            classCount > 0 ? LabelEmbedding(name: "labelEmbedding", classCount: classCount, width: embeddingWidth) : nil
        if let labelEmbedding { entries += labelEmbedding.initialParameters(stream: &stream) }
        parameters = ParameterSet(entries)
    }

    /// Batches above this many rows are evaluated in pieces of about `rowsPerPiece`.
    static let largestUnsplitBatch = 1_024
    /// ≈ 512 rows keep a 256-wide layer's activations (512 KB) in a core's L2 cache between the
    /// product and the activation pass; a 5,000-row batch spills to memory (≈ 1.5× slower).
    static let rowsPerPiece = 512

    public func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == dimension, "the MLP takes [N, \(dimension)], got \(x.shape)")
        let recorded = records(x, condition)
        let n = x.shape[0]
        if n > Self.largestUnsplitBatch {
            let pieces = Compute.shardRanges(count: n, rows: Self.rowsPerPiece)
            let piece = { (rows: Range<Int>) in self(x.slice(alongAxis: 0, rows), condition.rows(rows)) }
            // Untracked pieces run in parallel; recorded ones in order, on the caller's tape.
            return Tensor.concatenate(recorded ? pieces.map(piece) : Compute.mapShards(pieces, piece), alongAxis: 0)
        }
        guard recorded else { return inference(x, condition) }
        var h: Tensor
        if condition.isShared, let (weight, bias) = sharedFirstLayer(condition) {
            h = Tensor.linearSiLU(x, weight: weight, bias: bias)
        } else {
            h = hidden[0](
                Tensor.concatenate([x, noiseEmbedding(condition)], alongAxis: 1), parameters, at: 4, activation: .silu)
        }
        for (i, layer) in hidden.enumerated().dropFirst() {
            h = layer(h, parameters, at: 4 + 2 * i, activation: .silu)
        }
        return output(h, parameters, at: 4 + 2 * hidden.count)
    }

    /// Whether an evaluation is recorded for differentiation (something it reads is tracked).
    private func records(_ x: Tensor, _ condition: NoiseCondition) -> Bool {
        guard Autodiff.isRecording else { return false }
        return x.isTracked || condition.time.isTracked || condition.signalScale.isTracked
            || condition.noiseScale.isTracked || parameters.tensors.contains { $0.isTracked }
    }

    /// The network on panels of samples (`PanelBatch`), when nothing is tracked: the same
    /// function as the recorded path (rounded differently), ≈ 10 % faster, and each sample's
    /// result independent of the batch around it.
    private func inference(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        let tensors = parameters.tensors
        let input = PanelBatch(x)
        var h: PanelBatch
        if condition.isShared, let (weight, bias) = sharedFirstLayer(condition) {
            h = input.linear(weight: weight, bias: bias, activation: .silu)
        } else {
            h = PanelBatch(stacking: [input, panelEmbedding(condition)])
                .linear(weight: tensors[4], bias: tensors[5], activation: .silu)
        }
        for i in 1..<hidden.count {
            h = h.linear(weight: tensors[4 + 2 * i], bias: tensors[5 + 2 * i], activation: .silu)
        }
        let last = 4 + 2 * hidden.count
        return h.linear(weight: tensors[last], bias: tensors[last + 1]).tensor()
    }

    /// What the embedding sees of each sample's noise state, `[N, 1]`.
    private func conditioningInput(_ condition: NoiseCondition) -> Tensor {
        let n = condition.count
        switch conditioning {
        case .logNoiseLevel: return condition.logNoiseLevel.reshaped([n, 1])
        case .time: return condition.time.reshaped([n, 1])
        }
    }

    /// `noiseEmbedding(_:)` on panels.
    private func panelEmbedding(_ condition: NoiseCondition) -> PanelBatch {
        let n = condition.count
        let tensors = parameters.tensors
        let e = PanelBatch(conditioningInput(condition)).linear(weight: tensors[0], bias: tensors[1], activation: .silu)
            .linear(weight: tensors[2], bias: tensors[3], activation: .silu)
        guard let labelEmbedding else { return e }
        return e + PanelBatch(labelEmbedding(condition.labels, count: n, parameters, at: 6 + 2 * hidden.count))
    }

    /// e, the embedding of each sample's noise state (and label), `[N, embedding width]`.
    private func noiseEmbedding(_ condition: NoiseCondition) -> Tensor {
        let n = condition.count
        var e = embedding.0(conditioningInput(condition), parameters, at: 0, activation: .silu)
        e = embedding.1(e, parameters, at: 2, activation: .silu)
        if let labelEmbedding {
            e = e + labelEmbedding(condition.labels, count: n, parameters, at: 6 + 2 * hidden.count)
        }
        return e
    }

    /// The first hidden layer's weight and bias when every sample has the same condition
    /// (`NoiseCondition.isShared`):
    ///
    /// ```
    /// SiLU([x, e]·W₁ᵀ + b₁) = SiLU(x·W₁ₓᵀ + (e·W₁ₑᵀ + b₁)),   W₁ = [W₁ₓ | W₁ₑ]
    /// ```
    /// with e and the bracket computed for one row and used as the bias of a product over the
    /// data columns alone (k = dimension instead of dimension + embedding width, and no embedding
    /// per row): the same function, rounded in another order. `nil` when the samples' labels differ.
    private func sharedFirstLayer(_ condition: NoiseCondition) -> (weight: Tensor, bias: Tensor)? {
        if labelEmbedding != nil, let labels = condition.labels, let first = labels.first {
            guard labels.allSatisfy({ $0 == first }) else { return nil }
        }
        let e = noiseEmbedding(condition.rows(0..<1))
        let weight = parameters.tensors[4]
        let dataWeight = weight.slice(alongAxis: 1, 0..<dimension)
        let embeddingWeight = weight.slice(alongAxis: 1, dimension..<(dimension + embeddingWidth))
        let bias = Tensor.linear(e, weight: embeddingWeight, bias: parameters.tensors[5]).reshaped([hiddenWidths[0]])
        return (dataWeight, bias)
    }
}
