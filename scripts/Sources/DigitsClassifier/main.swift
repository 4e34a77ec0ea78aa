// digits-classifier: a small MLP classifier of the built-in 8 × 8 digits, trained with ScoreKit
// (softmax cross-entropy, Adam) on the training part of the same split as the digits recipes
// (data seed 0, 10 % held out), then used to label generated samples.
//
//   swift run -c release digits-classifier                               # train; held-out accuracy
//   swift run -c release digits-classifier --samples runs/digits/samples.npy [--classes 10]
//
// Sample i of a guided run is drawn for class i mod K (`guidance.classes: []`); the tool reports
// the fraction of samples the classifier labels as their requested class, overall and per class.
// With --reference REF.npy (as many rows as --samples), also the fraction of rows whose sample and
// reference get the same label: unconditional samples against a reference drawn from the same
// noise, such as a few-step sampler against the teacher's many-step one.
// One JSON line on standard output.
//
// Inpainting: `--write-held-out FILE.npy` writes the held-out digits [N, 1, 8, 8] (data space,
// as `scorekit sample --known` reads them); `--samples S.npy --requested held-out` then compares
// sample i with the label of held-out digit i mod N (class agreement of the completions).
//
//   swift run -c release digits-classifier --write-held-out held-out.npy
//   scorekit sample runs/digits --known held-out.npy --mask lower-half --count 180 --out inpainted.npy
//   swift run -c release digits-classifier --samples inpainted.npy --requested held-out
import Foundation
import ScoreKitCore
import ScoreKitRunner

struct Arguments {
    var samples: String?
    var reference: String?
    var classes = 10
    var steps = 3000
    var batchSize = 128
    var learningRate = 1e-3
    var seed: UInt64 = 0
    var threads = 2
    var heldOutFraction = 0.1
    var dataSeed: UInt64 = 0
    var writeHeldOut: String?
    var requestedHeldOut = false

    static let usage = """
        usage: digits-classifier [--samples FILE.npy] [--reference REF.npy] [--classes K] [--steps N] [--seed S]
                                 [--threads N] [--held-out-fraction F] [--data-seed S]
                                 [--write-held-out FILE.npy] [--requested classes|held-out]
        """

    static func parse(_ list: [String]) -> Arguments? {
        var arguments = Arguments()
        var rest = list[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { return nil }
            switch flag {
            case "--samples": arguments.samples = value
            case "--reference": arguments.reference = value
            case "--classes": guard let v = Int(value), v > 0 else { return nil }; arguments.classes = v
            case "--steps": guard let v = Int(value), v > 0 else { return nil }; arguments.steps = v
            case "--seed": guard let v = UInt64(value) else { return nil }; arguments.seed = v
            case "--threads": guard let v = Int(value), v > 0 else { return nil }; arguments.threads = v
            case "--held-out-fraction":
                guard let v = Double(value), v > 0, v < 1 else { return nil }
                arguments.heldOutFraction = v
            case "--data-seed": guard let v = UInt64(value) else { return nil }; arguments.dataSeed = v
            case "--write-held-out": arguments.writeHeldOut = value
            case "--requested":
                guard value == "classes" || value == "held-out" else { return nil }
                arguments.requestedHeldOut = value == "held-out"
            default: return nil
            }
        }
        return arguments
    }
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
    data.training.image != nil
else {
    FileHandle.standardError.write("error: the digits came without labels or a held-out part\n".data(using: .utf8)!)
    exit(1)
}

if let path = arguments.writeHeldOut {
    let count = heldOut.count
    do {
        try NumPyFile.write(heldOut.samples.reshaped([count, 1, 8, 8]), to: path)
    } catch {
        FileHandle.standardError.write("\(path): error: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}

// The classifier `scorekit evaluate` trains for its Fréchet distance (ImageClassifier), here
// with the tool's settings.
var settings = ImageClassifier.Settings()
settings.steps = arguments.steps
settings.batchSize = arguments.batchSize
settings.learningRate = arguments.learningRate
settings.seed = arguments.seed
let n = data.training.count
let started = Date()
let classifier = ImageClassifier(training: data.training, settings: settings)
let lastLoss = classifier.finalLoss
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
        let requested = (0..<samples.shape[0]).map {
            arguments.requestedHeldOut ? heldOutLabels[$0 % heldOutLabels.count] : $0 % arguments.classes
        }
        let predicted = classifier.predict(samples)
        record["samples"] = path
        record["sampleCount"] = samples.shape[0]
        record["sampleAgreement"] = accuracy(predicted, requested)
        record["requested"] = arguments.requestedHeldOut ? "held-out labels, sample i ↔ digit i mod N" : "class i mod K"
        record["sampleAgreementByClass"] = (0..<arguments.classes).map { c in
            let rows = requested.indices.filter { requested[$0] == c }
            return accuracy(rows.map { predicted[$0] }, rows.map { requested[$0] })
        }
        if let referencePath = arguments.reference {
            var reference = try NumPyFile.read(referencePath)
            reference = reference.reshaped([reference.shape[0], reference.scalarCount / reference.shape[0]])
            guard reference.shape == samples.shape else {
                FileHandle.standardError.write(
                    "\(referencePath): error: shape \(reference.shape), the samples' is \(samples.shape)\n"
                        .data(using: .utf8)!)
                exit(1)
            }
            record["reference"] = referencePath
            record["referenceAgreement"] = accuracy(predicted, classifier.predict(reference))
        }
    } catch {
        FileHandle.standardError.write("\(path): error: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}
let json = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
print(String(data: json, encoding: .utf8)!)
