import Foundation
public import ScoreKitCore
import ScoreKitNetworks

/// A small classifier of labelled images, trained with ScoreKit: the judge of generated images.
/// Its last hidden layer is the feature space of `evaluate`'s Fréchet distance, and its labels
/// check guided samples (the `digits-classifier` tool).
///
/// ```
/// x (pixels, clamped to [−1, 1]) → 256 → SiLU → 256 → SiLU (features) → K logits
/// ```
/// Trained by softmax cross-entropy and Adam (cosine decay), batches drawn with replacement
/// from the training part, each pixel jittered uniformly inside its level's bin (the recipes'
/// dequantisation), so that continuous samples are in its training range. Deterministic for a
/// seed: every draw comes from counter-based streams.
public struct ImageClassifier: Sendable {
    /// How it is trained.
    public struct Settings: Sendable, Equatable {
        /// Optimiser steps.
        public var steps = 3_000
        /// Rows per step.
        public var batchSize = 128
        /// Adam's peak rate, decayed to 0 on a cosine.
        public var learningRate = 1e-3
        /// The seed of the initial weights, the batches and the jitter.
        public var seed: UInt64 = 0
        /// The width of both hidden layers (the feature count).
        public var width = 256

        public init() {}
    }

    /// K.
    public let classCount: Int
    /// The trained weights.
    public private(set) var parameters: ParameterSet
    /// The mean cross-entropy of the last training batch.
    public private(set) var finalLoss: Double = .nan
    let layers: [Linear]

    /// Trains a classifier of `data` (samples in data space, `labels` in `0..<classCount`).
    /// - Precondition: `data` has labels of at least 2 classes and an image format.
    public init(training data: DataSet, settings: Settings = Settings()) {
        precondition(data.labels != nil && data.classCount >= 2, "the classifier needs labels of 2 or more classes")
        let labels = data.labels ?? []
        classCount = data.classCount
        layers = [
            Linear(name: "l1", inputCount: data.dimension, outputCount: settings.width),
            Linear(name: "l2", inputCount: settings.width, outputCount: settings.width),
            Linear(name: "l3", inputCount: settings.width, outputCount: data.classCount),
        ]
        var stream = RandomStream(seed: settings.seed, stream: 0)
        parameters = ParameterSet(layers.flatMap { $0.initialParameters(stream: &stream) })
        let optimizer = Adam()
        var state = optimizer.initialState(for: parameters)
        let bin = Float(data.image?.binWidth ?? 0)
        for step in 0..<settings.steps {
            var batchStream = RandomStream(seed: settings.seed &+ 1, stream: UInt64(step))
            let rows = (0..<settings.batchSize).map { _ in batchStream.nextInt(below: data.count) }
            var noise = PerSampleNoise(seed: settings.seed &+ 2, firstSample: step * settings.batchSize)
            let clean = data.samples.gathering(rows: rows)
            let x = clean + (noise.uniform(clean.shape) - 0.5) * bin
            let tracked = parameters.tracked()
            let loss = Self.crossEntropy(logits: logits(x, tracked), labels: rows.map { labels[$0] })
            let grads = gradients(of: loss, wrt: tracked.tensors)
            finalLoss = Double(loss.scalars[0])
            let rate =
                settings.learningRate * 0.5 * (1 + cos(Double.pi * Double(step) / Double(settings.steps)))
            optimizer.update(&parameters, gradients: grads, state: &state, learningRate: rate)
        }
    }

    /// The hidden layers up to `depth` (2: the features), or the logits (3).
    private func forward(_ x: Tensor, _ parameters: ParameterSet, depth: Int) -> Tensor {
        var h = x
        for (i, layer) in layers.prefix(depth).enumerated() {
            h =
                i < layers.count - 1
                ? layer(h, parameters, at: 2 * i, activation: .silu) : layer(h, parameters, at: 2 * i)
        }
        return h
    }

    func logits(_ x: Tensor, _ parameters: ParameterSet) -> Tensor { forward(x, parameters, depth: 3) }

    /// Rows `[N, D]` (or `[N, C, H, W]`) flattened and clamped to the data's range [−1, 1].
    private func input(_ x: Tensor) -> Tensor {
        clamp(x.reshaped([x.shape[0], x.scalarCount / Swift.max(x.shape[0], 1)]), min: -1, max: 1)
    }

    /// The last hidden layer's activations `[N, width]`: the Fréchet distance's feature space.
    public func features(_ x: Tensor) -> Tensor {
        Autodiff.withoutRecording { forward(input(x), parameters, depth: 2) }
    }

    /// The most likely class of each row.
    public func predict(_ x: Tensor) -> [Int] {
        let z = Autodiff.withoutRecording { logits(input(x), parameters) }
        let k = z.shape[1]
        let values = z.scalars
        return (0..<z.shape[0]).map { row in
            var best = 0
            for c in 1..<k where values[row * k + c] > values[row * k + best] { best = c }
            return best
        }
    }

    /// The fraction of `data`'s rows labelled correctly.
    public func accuracy(on data: DataSet) -> Double {
        guard let labels = data.labels, !labels.isEmpty else { return .nan }
        let predicted = predict(data.samples)
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }

    /// Softmax cross-entropy −(1/N)·Σ_i log softmax(z_i)[y_i], with the row maximum subtracted
    /// (a constant: the gradient is (softmax(z) − onehot(y))/N).
    static func crossEntropy(logits z: Tensor, labels: [Int]) -> Tensor {
        let (n, k) = (z.shape[0], z.shape[1])
        let shifted = z - z.detached().max(alongAxis: 1, keepingDimension: true)
        let logNormalizer = log(exp(shifted).sum(alongAxis: 1, keepingDimension: true))
        var hot = [Float](repeating: 0, count: n * k)
        for i in 0..<n { hot[i * k + labels[i]] = 1 }
        return -((shifted - logNormalizer) * Tensor(hot, shape: [n, k])).sum() / Float(n)
    }
}
