/// A batch of samples stored feature-major, in panels of 32 samples: the layout of ScoreKit's
/// untracked dense layers for inference.
///
/// ```
/// let h = PanelBatch(x)                                           // x [N, d]
/// let y = h.linear(weight: w, bias: b, activation: .silu)         // SiLU(W·h + b), W [out, d]
/// let out = y.tensor()                                            // [N, out]
/// ```
/// Same values as `Tensor.linearSiLU(x, weight: w, bias: b)` up to rounding (the products sum
/// in another order), and faster for inference: a chain of layers keeps its activations in
/// this layout, reads the weights in place and finishes each tile (bias, activation) while it is
/// in cache (`PanelKernels`). Each sample is computed alone, so its result does not depend on
/// the batch around it. Nothing is recorded for differentiation: networks take this path only
/// when nothing they compute is tracked. Operations run on the calling thread; split large
/// batches across threads with `Compute.mapShards`.
public struct PanelBatch: Sendable {
    /// The activation applied after a layer's affine map.
    public enum Activation: Sendable {
        case identity
        /// x·σ(x).
        case silu
    }

    /// Samples per panel: batches of a multiple of it compute no padding
    /// (`Compute.shardRanges(count:rows:alignedTo:)`).
    public static var panelWidth: Int { PanelKernels.width }

    /// The number of samples.
    public let count: Int
    /// The number of features of each sample.
    public let features: Int
    /// `panelCount` panels of `features` × 32 floats; padding columns past `count` are finite.
    let storage: TensorStorage

    /// Panels of 32 samples (the last one padded).
    var panelCount: Int { (count + PanelKernels.width - 1) / PanelKernels.width }

    private init(count: Int, features: Int, storage: TensorStorage) {
        self.count = count
        self.features = features
        self.storage = storage
    }

    /// Uninitialised panels for `count` samples of `features` features.
    private init(count: Int, features: Int) {
        let panels = (count + PanelKernels.width - 1) / PanelKernels.width
        self.init(
            count: count, features: features,
            storage: TensorStorage(uninitializedCount: panels * features * PanelKernels.width))
    }

    /// The rows of `x` [count, features] as a panel batch.
    public init(_ x: Tensor) {
        precondition(x.rank == 2, "a panel batch takes a matrix [samples, features], got \(x.shape)")
        self.init(count: x.shape[0], features: x.shape[1])
        PanelKernels.pack(x.storage.base, count: count, features: features, into: storage.base)
    }

    /// The batch as a tensor [count, features].
    public func tensor() -> Tensor {
        Tensor(shape: [count, features]) { out in
            PanelKernels.unpack(storage.base, count: count, features: features, into: out.baseAddress!)
        }
    }

    /// activation(W·h + b) for every sample h: `weight` [outputs, features], `bias` [outputs].
    public func linear(weight: Tensor, bias: Tensor?, activation: Activation = .identity) -> PanelBatch {
        precondition(
            weight.rank == 2 && weight.shape[1] == features,
            "linear: a batch of \(features) features needs W [outputs, \(features)], got \(weight.shape)")
        let outputs = weight.shape[0]
        if let bias {
            precondition(bias.shape == [outputs], "linear: bias shape \(bias.shape) should be [\(outputs)]")
        }
        let result = PanelBatch(count: count, features: outputs)
        PanelKernels.affine(
            weight: weight.storage.base, bias: bias.map { UnsafePointer($0.storage.base) }, outputs: outputs,
            inputs: features, input: storage.base, output: result.storage.base, panels: 0..<panelCount,
            silu: activation == .silu)
        return result
    }

    /// The features of `parts` one after the other, for the same samples (a concatenation along
    /// the feature axis, as `Tensor.concatenate(_:alongAxis: 1)`).
    public init(stacking parts: [PanelBatch]) {
        precondition(!parts.isEmpty, "stacking needs at least one batch")
        let count = parts[0].count
        precondition(
            parts.allSatisfy { $0.count == count },
            "stacked batches must have the same samples, got \(parts.map(\.count))")
        self.init(count: count, features: parts.reduce(0) { $0 + $1.features })
        let width = PanelKernels.width
        for p in 0..<panelCount {
            var target = storage.base + p * features * width
            for part in parts {
                let block = part.features * width
                target.update(from: part.storage.base + p * block, count: block)
                target += block
            }
        }
    }

    /// The sum of two batches of the same shape, sample by sample.
    public static func + (lhs: PanelBatch, rhs: PanelBatch) -> PanelBatch {
        precondition(
            lhs.count == rhs.count && lhs.features == rhs.features,
            "adding panel batches of \(lhs.count) × \(lhs.features) and \(rhs.count) × \(rhs.features)")
        let result = PanelBatch(count: lhs.count, features: lhs.features)
        let n = lhs.panelCount * lhs.features * PanelKernels.width
        let (a, b, c) = (lhs.storage.base, rhs.storage.base, result.storage.base)
        for i in 0..<n { c[i] = a[i] + b[i] }
        return result
    }
}
