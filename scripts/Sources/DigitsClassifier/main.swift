// digits-classifier: a small MLP classifier of the built-in 8 × 8 digits, trained with ScoreKit
// (softmax cross-entropy, Adam) on the training part of the same split as the digits recipes
// (data seed 0, 10 % held out), then used to label generated samples.
//
//   swift run -c release digits-classifier                               # train; held-out accuracy
//   swift run -c release digits-classifier --samples runs/digits/samples.npy [--classes 10]
//
// Sample i of a guided run is drawn for class i mod K (`guidance.classes: []`); the tool reports
// the fraction of samples the classifier labels as their requested class, overall and per class.
// One JSON line on standard output.
import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitRunner

struct Arguments {
    var samples: String?
    var classes = 10
    var steps = 3000
    var batchSize = 128
    var learningRate = 1e-3
    var seed: UInt64 = 0
    var threads = 2
    var heldOutFraction = 0.1
    var dataSeed: UInt64 = 0

    static let usage = """
        usage: digits-classifier [--samples FILE.npy] [--classes K] [--steps N] [--seed S] [--threads N]
                                 [--held-out-fraction F] [--data-seed S]
        """

    static func parse(_ list: [String]) -> Arguments? {
        var arguments = Arguments()
        var rest = list[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { return nil }
            switch flag {
            case "--samples": arguments.samples = value
            case "--classes": guard let v = Int(value), v > 0 else { return nil }; arguments.classes = v
            case "--steps": guard let v = Int(value), v > 0 else { return nil }; arguments.steps = v
            case "--seed": guard let v = UInt64(value) else { return nil }; arguments.seed = v
            case "--threads": guard let v = Int(value), v > 0 else { return nil }; arguments.threads = v
            case "--held-out-fraction":
                guard let v = Double(value), v > 0, v < 1 else { return nil }
                arguments.heldOutFraction = v
            case "--data-seed": guard let v = UInt64(value) else { return nil }; arguments.dataSeed = v
            default: return nil
            }
        }
        return arguments
    }
}

/// 64 → 256 → 256 → 10 with SiLU: logits of the ten digits.
struct Classifier {
    var parameters: ParameterSet
    let layers: [Linear]

    init(inputCount: Int, classCount: Int, seed: UInt64) {
        layers = [
            Linear(name: "l1", inputCount: inputCount, outputCount: 256),
            Linear(name: "l2", inputCount: 256, outputCount: 256),
            Linear(name: "l3", inputCount: 256, outputCount: classCount),
        ]
        var stream = RandomStream(seed: seed, stream: 0)
        parameters = ParameterSet(layers.flatMap { $0.initialParameters(stream: &stream) })
    }

    func logits(_ x: Tensor, _ parameters: ParameterSet) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            h =
                i < layers.count - 1
                ? layer(h, parameters, at: 2 * i, activation: .silu) : layer(h, parameters, at: 2 * i)
        }
        return h
    }

    /// The most likely class of each row of `x`.
    func predict(_ x: Tensor) -> [Int] {
        let z = Autodiff.withoutRecording { logits(x, parameters) }
        let k = z.shape[1]
        let values = z.scalars
        return (0..<z.shape[0]).map { row in
            let slice = values[(row * k)..<((row + 1) * k)]
            return slice.indices.max { slice[$0] < slice[$1] }! - row * k
        }
    }
}

/// Softmax cross-entropy −(1/N) Σ_i log softmax(z_i)[y_i], with the row maximum subtracted
/// (a constant, so the gradient is softmax(z) − onehot(y), divided by N).
func softmaxCrossEntropy(logits z: Tensor, labels: [Int]) -> Tensor {
    let (n, k) = (z.shape[0], z.shape[1])
    let shifted = z - z.detached().max(alongAxis: 1, keepingDimension: true)
    let logNormalizer = log(exp(shifted).sum(alongAxis: 1, keepingDimension: true))
    var hot = [Float](repeating: 0, count: n * k)
    for i in 0..<n { hot[i * k + labels[i]] = 1 }
    let oneHot = Tensor(hot, shape: [n, k])
    return -((shifted - logNormalizer) * oneHot).sum() / Float(n)
}

func accuracy(_ predicted: [Int], _ labels: [Int]) -> Double {
    Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
}

guard let arguments = Arguments.parse(Array(CommandLine.arguments.dropFirst())) else {
    FileHandle.standardError.write((Arguments.usage + "\n").data(using: .utf8)!)
    exit(2)
}
Compute.setThreadCount(arguments.threads)

let registry = ComponentRegistry.standard()
let data: TrainingData
do {
    let specification = try registry.make(
        .data,
        from: [
            "kind": "digits", "labelled": true, "heldOutFraction": .number(arguments.heldOutFraction),
            "seed": .integer(Int(arguments.dataSeed)),
        ])
    data = try TrainingData.prepare(specification)
} catch {
    FileHandle.standardError.write("error: \(error)\n".data(using: .utf8)!)
    exit(1)
}
guard let heldOut = data.heldOut, let trainingLabels = data.training.labels, let heldOutLabels = heldOut.labels,
    let image = data.training.image
else {
    FileHandle.standardError.write("error: the digits came without labels or a held-out part\n".data(using: .utf8)!)
    exit(1)
}

// Training: batches drawn with replacement; each pixel jittered uniformly inside its level's
// bin (the recipes' dequantisation), so that continuous samples are in the training range.
var classifier = Classifier(inputCount: data.training.dimension, classCount: arguments.classes, seed: arguments.seed)
let optimizer = Adam()
var state = optimizer.initialState(for: classifier.parameters)
let n = data.training.count
let bin = Float(image.binWidth)
let started = Date()
var lastLoss: Float = .nan
for step in 0..<arguments.steps {
    var stream = RandomStream(seed: arguments.seed &+ 1, stream: UInt64(step))
    let rows = (0..<arguments.batchSize).map { _ in stream.nextInt(below: n) }
    var noise = PerSampleNoise(seed: arguments.seed &+ 2, firstSample: step * arguments.batchSize)
    let clean = data.training.samples.gathering(rows: rows)
    let x = clean + (noise.uniform(clean.shape) - 0.5) * bin
    let tracked = classifier.parameters.tracked()
    let loss = softmaxCrossEntropy(logits: classifier.logits(x, tracked), labels: rows.map { trainingLabels[$0] })
    let grads = gradients(of: loss, wrt: tracked.tensors)
    lastLoss = loss.scalars[0]
    let rate = arguments.learningRate * 0.5 * (1 + cos(Double.pi * Double(step) / Double(arguments.steps)))
    optimizer.update(&classifier.parameters, gradients: grads, state: &state, learningRate: rate)
}
var record: [String: Any] = [
    "trainCount": n, "heldOutCount": heldOut.count, "steps": arguments.steps, "finalLoss": Double(lastLoss),
    "trainAccuracy": accuracy(classifier.predict(data.training.samples), trainingLabels),
    "heldOutAccuracy": accuracy(classifier.predict(heldOut.samples), heldOutLabels),
    "trainingSeconds": Date().timeIntervalSince(started),
]

if let path = arguments.samples {
    do {
        var samples = try NumPyFile.read(path)
        samples = samples.reshaped([samples.shape[0], samples.scalarCount / samples.shape[0]])
        let requested = (0..<samples.shape[0]).map { $0 % arguments.classes }
        let predicted = classifier.predict(clamp(samples, min: -1, max: 1))
        record["samples"] = path
        record["sampleCount"] = samples.shape[0]
        record["sampleAgreement"] = accuracy(predicted, requested)
        record["sampleAgreementByClass"] = (0..<arguments.classes).map { c in
            let rows = requested.indices.filter { requested[$0] == c }
            return accuracy(rows.map { predicted[$0] }, rows.map { requested[$0] })
        }
    } catch {
        FileHandle.standardError.write("\(path): error: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}
let json = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
print(String(data: json, encoding: .utf8)!)
