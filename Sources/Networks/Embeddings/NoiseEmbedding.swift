import Foundation
public import ScoreKitCore

/// An embedding of each sample's noise state into `width` features, for conditioning a network.
///
/// With c the conditioning scalar (log σ or t, per `input`) and the features φ(c):
///
/// ```
/// mlp          e = W₂·act(W₁·c + b₁) + b₂                                  (the seed MLP's embedding)
/// levelTable   e = E[k],   k = argmin_k |ln σ̃ − ln σ_k|,   σ̃ = σ/α           (NCSN: one row per level)
/// sinusoidal   φ = [sin(s·c·f_j), cos(s·c·f_j)],  f_j = 10000^(−j/(w/2 − 1))   (DDPM, transformers)
/// fourier      φ = [sin(2π·c·ω_j), cos(2π·c·ω_j)],  ω_j ~ N(0, s²) fixed     (score_sde's Gaussian Fourier)
///              e = W₂·act(W₁·φ + b₁) + b₂                                   (sinusoidal, fourier)
/// ```
/// Sources: `get_timestep_embedding` and `temb_dense` of the DDPM code (Ho et al. 2020), with s
/// = `sinusoidalScale` (DDPM feeds integer steps; s = 1000 maps t ∈ [0, 1] onto that range);
/// `GaussianFourierProjection` of score_sde (Song et al. 2021; Tancik et al. 2020) with
/// s = `fourierScale` (score_sde's `fourier_scale`, 16); NCSN's conditional layers index one
/// learned row per noise level σ_1 > … > σ_L (Song & Ermon 2019).
///
/// The output is pre-activation: consumers apply their activation, then project (as DDPM's
/// `Dense(act(temb))` in each block). The Fourier frequencies are fixed, drawn from the seed
/// (stream 1), and are not parameters: training does not change them, and a model rebuilt from
/// the same seed has the same ones. Parameters, under `<name>.`: `dense1`, `dense2` (`mlp`,
/// `sinusoidal`, `fourier`) or `weight` [L, w] (`levelTable`, initialised N(0, 1) as `nn.Embedding`).
public struct NoiseEmbedding: Sendable {
    /// The kinds of embedding.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case mlp
        case levelTable
        case sinusoidal
        case fourier
    }

    /// The parameter name prefix, such as `embedding`.
    public let name: String
    public let kind: Kind
    /// w, the number of output features.
    public let width: Int
    /// What c is: log(σ/α) or t.
    public let input: NoiseConditionalMLP.ConditioningInput
    public let activation: Activation
    /// σ_1 > … > σ_L, the rows of `levelTable` (empty for the other kinds).
    public let noiseLevels: [Double]
    /// s·f_j (sinusoidal) or 2π·ω_j (fourier), [1, w/2]; empty otherwise.
    let frequencies: Tensor
    let dense1: Linear
    let dense2: Linear

    /// An embedding of `kind` with `width` features.
    ///
    /// - Parameters:
    ///   - sinusoidalScale: s of `sinusoidal`, the factor on c.
    ///   - fourierScale: s of `fourier`, the standard deviation of the frequencies.
    ///   - noiseLevels: σ_1 … σ_L of `levelTable`.
    ///   - seed: the seed of the Fourier frequencies (stream 1 of it).
    /// - Precondition: `width` is even for `sinusoidal` and `fourier` (≥ 4 for `sinusoidal`);
    ///   `noiseLevels` is non-empty and positive for `levelTable`.
    public init(
        name: String, kind: Kind, width: Int, input: NoiseConditionalMLP.ConditioningInput, activation: Activation,
        sinusoidalScale: Double = 1000, fourierScale: Double = 16, noiseLevels: [Double] = [], seed: UInt64 = 0
    ) {
        precondition(width > 0, "NoiseEmbedding '\(name)' needs a positive width, got \(width)")
        self.name = name
        self.kind = kind
        self.width = width
        self.input = input
        self.activation = activation
        self.noiseLevels = kind == .levelTable ? noiseLevels : []
        let half = width / 2
        switch kind {
        case .sinusoidal:
            precondition(width % 2 == 0 && width >= 4, "a sinusoidal embedding needs an even width ≥ 4, got \(width)")
            let step = Foundation.log(10000.0) / Double(half - 1)
            frequencies = Tensor(
                (0..<half).map { Float(sinusoidalScale * Foundation.exp(-step * Double($0))) }, shape: [1, half])
        case .fourier:
            precondition(width % 2 == 0, "a Fourier embedding needs an even width, got \(width)")
            var stream = RandomStream(seed: seed, stream: 1)
            let omega = Tensor(shape: [1, half]) { stream.fillNormal($0) }
            frequencies = omega * Float(2 * Double.pi * fourierScale)
        case .levelTable:
            precondition(
                !noiseLevels.isEmpty && noiseLevels.allSatisfy { $0 > 0 },
                "a level-table embedding needs positive noise levels, got \(noiseLevels)")
            frequencies = Tensor.zeros([0])
        case .mlp:
            frequencies = Tensor.zeros([0])
        }
        dense1 = Linear(name: "\(name).dense1", inputCount: kind == .mlp ? 1 : width, outputCount: width)
        dense2 = Linear(name: "\(name).dense2", inputCount: width, outputCount: width)
    }

    /// The number of tensors the embedding keeps in the `ParameterSet` (4, or 1 for `levelTable`).
    public var parameterCount: Int { kind == .levelTable ? 1 : 4 }

    /// Fresh parameters drawn from `stream`.
    public func initialParameters(stream: inout RandomStream, initialization: Initialization) -> [(String, Tensor)] {
        if kind == .levelTable {
            let table = Tensor(shape: [noiseLevels.count, width]) { stream.fillNormal($0) }
            return [("\(name).weight", table)]
        }
        return dense1.initialParameters(stream: &stream, initialization: initialization)
            + dense2.initialParameters(stream: &stream, initialization: initialization)
    }

    /// e for every sample of `condition`, [N, width], with parameters from `parameters.tensors[index…]`.
    public func callAsFunction(_ condition: NoiseCondition, _ parameters: ParameterSet, at index: Int) -> Tensor {
        if kind == .levelTable {
            return parameters.tensors[index].gathering(rows: levelIndices(condition))
        }
        let features = features(condition)
        let hidden = dense1(features, parameters, at: index, activation: activation)
        return dense2(hidden, parameters, at: index + 2)
    }

    /// φ(c), the fixed features dense1 sees: [N, w] (`sinusoidal`, `fourier`) or c itself [N, 1] (`mlp`).
    /// - Precondition: not a `levelTable`, which has no features.
    public func features(_ condition: NoiseCondition) -> Tensor {
        precondition(kind != .levelTable, "a level-table embedding has no features; it indexes rows")
        let n = condition.count
        let c: Tensor
        switch input {
        case .logNoiseLevel: c = condition.logNoiseLevel.reshaped([n, 1])
        case .time: c = condition.time.reshaped([n, 1])
        }
        guard kind != .mlp else { return c }
        let angles = c * frequencies
        return Tensor.concatenate([sin(angles), cos(angles)], alongAxis: 1)
    }

    /// The row of each sample: the level nearest to its σ/α in log scale.
    public func levelIndices(_ condition: NoiseCondition) -> [Int] {
        let logLevels = noiseLevels.map { Foundation.log($0) }
        let sigma = condition.noiseScale.scalars
        let alpha = condition.signalScale.scalars
        return zip(sigma, alpha).map { s, a in
            let value = Foundation.log(Double(s) / Double(a))
            var best = 0
            for k in logLevels.indices where Swift.abs(logLevels[k] - value) < Swift.abs(logLevels[best] - value) {
                best = k
            }
            return best
        }
    }

    /// NCSN's geometric levels σ_max … σ_min, largest first (as `denoising-score-matching`'s `noiseLevels`).
    public static func geometricLevels(count: Int, sigmaMax: Double, sigmaMin: Double) -> [Double] {
        precondition(
            count >= 1 && sigmaMin > 0 && sigmaMax >= sigmaMin,
            "invalid noise levels \(count), \(sigmaMax), \(sigmaMin)")
        guard count > 1 else { return [sigmaMax] }
        let ratio = Foundation.log(sigmaMin / sigmaMax) / Double(count - 1)
        return (0..<count).map { sigmaMax * Foundation.exp(ratio * Double($0)) }
    }
}
