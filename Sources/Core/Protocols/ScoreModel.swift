/// A network (or an exact model) evaluated on noisy inputs: `F_θ(x, condition)`.
///
/// What the output means (ε, x₀, v, …) is not the model's business: a `Parameterization`
/// turns it into the denoised estimate. The model chooses which part of `condition` it is
/// conditioned on (t, log σ, labels) through its own configuration.
public protocol ScoreModel: Sendable {
    /// The output for a batch `x` of shape `[N, …]`; the output has the shape of `x`.
    func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor
}

/// A model with parameters that training updates, addressed by path (`l1.weight`, …).
public protocol TrainableModel: ScoreModel {
    /// Every parameter, in a fixed order. Setting replaces them (shapes must match).
    var parameters: ParameterSet { get set }
}

/// The noise state of each sample of a batch, as the network sees it.
///
/// Per-sample values are rank-1 tensors of length N; samplers give every sample the same time,
/// training gives each its own.
public struct NoiseCondition: Sendable {
    /// t for each sample, `[N]`.
    public var time: Tensor
    /// α(t) for each sample, `[N]`.
    public var signalScale: Tensor
    /// σ(t) for each sample, `[N]`.
    public var noiseScale: Tensor
    /// A class label for each sample (for conditional models), or `nil`. `NoiseCondition.nullLabel` is "no class".
    public var labels: [Int]?
    /// Whether every sample has the same time and marginal by construction (`init(count:time:…)`,
    /// the scalar-time calls of fixed-grid samplers). A model may then compute what depends on
    /// the condition alone once for the batch (`NoiseConditionalMLP` folds its noise embedding
    /// into the first layer's bias), which can change a row's last bits against a per-sample
    /// condition with the same values. Per-sample conditions never set it, even when their
    /// times happen to agree, so a row's result never depends on the other rows' times.
    public var isShared: Bool

    /// The label that stands for "unconditional" in classifier-free guidance.
    public static let nullLabel = -1

    public init(time: Tensor, signalScale: Tensor, noiseScale: Tensor, labels: [Int]? = nil, isShared: Bool = false) {
        precondition(
            time.shape == signalScale.shape && time.shape == noiseScale.shape && time.rank == 1,
            "noise condition tensors must be [N]: got \(time.shape), \(signalScale.shape), \(noiseScale.shape)")
        self.time = time
        self.signalScale = signalScale
        self.noiseScale = noiseScale
        self.labels = labels
        self.isShared = isShared
    }

    /// The same time and marginal for `count` samples.
    public init(count: Int, time: Double, marginal: Marginal, labels: [Int]? = nil) {
        self.init(
            time: Tensor.full([count], Float(time)),
            signalScale: Tensor.full([count], Float(marginal.signalScale)),
            noiseScale: Tensor.full([count], Float(marginal.noiseScale)),
            labels: labels, isShared: true)
    }

    /// Per-sample times and marginals.
    public init(times: [Double], marginals: [Marginal], labels: [Int]? = nil) {
        precondition(times.count == marginals.count, "\(times.count) times for \(marginals.count) marginals")
        self.init(
            time: Tensor(times.map { Float($0) }),
            signalScale: Tensor(marginals.map { Float($0.signalScale) }),
            noiseScale: Tensor(marginals.map { Float($0.noiseScale) }),
            labels: labels)
    }

    /// The number of samples.
    public var count: Int { time.shape[0] }

    /// The condition of the samples `rows` (a contiguous piece of the batch), shared or not as
    /// this one is.
    public func rows(_ rows: Range<Int>) -> NoiseCondition {
        NoiseCondition(
            time: time.slice(alongAxis: 0, rows), signalScale: signalScale.slice(alongAxis: 0, rows),
            noiseScale: noiseScale.slice(alongAxis: 0, rows),
            labels: labels.map { $0.count == count ? Array($0[rows]) : $0 }, isShared: isShared)
    }

    /// log(σ/α) for each sample: the conditioning of NCSN-style networks (log σ when α = 1).
    public var logNoiseLevel: Tensor { log(noiseScale / signalScale) }
}

/// Named parameters in a fixed order: the path-keyed tree that optimisers and checkpoints address.
public struct ParameterSet: Sendable, Equatable {
    /// Names in order, such as `l1.weight`.
    public private(set) var names: [String]
    /// The tensors, in the order of `names`; keep one per name.
    ///
    /// A plain stored property (no observer), so that `parameters.tensors[i].withUnsafeMutableBufferPointer`
    /// writes in place: an observer would turn the access into get + set and copy every buffer.
    public var tensors: [Tensor]

    public init(_ entries: [(String, Tensor)]) {
        names = entries.map(\.0)
        tensors = entries.map(\.1)
        precondition(Set(names).count == names.count, "duplicate parameter names in \(names)")
    }

    /// The tensor called `name`, or `nil`.
    public subscript(name: String) -> Tensor? {
        get { names.firstIndex(of: name).map { tensors[$0] } }
        set {
            guard let i = names.firstIndex(of: name), let newValue else {
                preconditionFailure("no parameter named '\(name)'; parameters: \(names.joined(separator: ", "))")
            }
            precondition(
                newValue.shape == tensors[i].shape,
                "parameter '\(name)' has shape \(tensors[i].shape), not \(newValue.shape)")
            tensors[i] = newValue
        }
    }

    /// The number of scalars in all parameters.
    public var scalarCount: Int { tensors.reduce(0) { $0 + $1.scalarCount } }

    /// Every tensor as a new leaf of the gradient tape, for a training step.
    public func tracked() -> ParameterSet {
        var copy = self
        copy.tensors = tensors.map { $0.tracked() }
        return copy
    }

    /// Every tensor cut from the tape.
    public func detached() -> ParameterSet {
        var copy = self
        copy.tensors = tensors.map { $0.detached() }
        return copy
    }
}
