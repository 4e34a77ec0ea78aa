import Foundation
import ScoreKitCore
import Testing

extension Tag {
    /// Tests that take seconds (training runs); CI may run them apart.
    @Tag static var slow: Self
}

/// Hands a loss fixed draws, in the order it asks for them, and fails on any other shape.
struct ReplayedNoise: NoiseSource {
    var normals: [Tensor] = []
    var uniforms: [Tensor] = []
    var rademachers: [Tensor] = []

    mutating func normal(_ shape: [Int]) -> Tensor { Self.next(&normals, shape, "normal") }
    mutating func uniform(_ shape: [Int]) -> Tensor { Self.next(&uniforms, shape, "uniform") }
    mutating func rademacher(_ shape: [Int]) -> Tensor { Self.next(&rademachers, shape, "rademacher") }

    private static func next(_ queue: inout [Tensor], _ shape: [Int], _ kind: String) -> Tensor {
        precondition(!queue.isEmpty, "no \(kind) draw of shape \(shape) was planned")
        let t = queue.removeFirst()
        precondition(t.shape == shape, "planned \(kind) draw has shape \(t.shape), the loss asked for \(shape)")
        return t
    }

    /// Whether every planned draw was used.
    var isExhausted: Bool { normals.isEmpty && uniforms.isEmpty && rademachers.isEmpty }
}

/// Three affine processes with closed-form α, σ, α', σ' and λ⁻¹, written here so that the loss
/// tests depend on no SDE module.
struct TestProcess: ForwardSDE {
    enum Kind: String, CaseIterable, Sendable {
        /// α = 1, σ = t on [0.01, 10] (VE/EDM-like).
        case exploding
        /// α = cos(πt/2), σ = sin(πt/2) on [0.01, 0.99] (variance preserving).
        case trigonometric
        /// α = 1 − t, σ = t on [0.01, 0.99] (the linear interpolant).
        case linear
    }

    var kind: Kind

    init(_ kind: Kind) { self.kind = kind }

    var timeRange: ClosedRange<Double> { kind == .exploding ? 0.01...10 : 0.01...0.99 }

    func marginal(at t: Double) -> Marginal {
        switch kind {
        case .exploding:
            return Marginal(signalScale: 1, noiseScale: t, signalScaleDerivative: 0, noiseScaleDerivative: 1)
        case .trigonometric:
            let h = Double.pi / 2
            return Marginal(
                signalScale: Foundation.cos(h * t), noiseScale: Foundation.sin(h * t),
                signalScaleDerivative: -h * Foundation.sin(h * t), noiseScaleDerivative: h * Foundation.cos(h * t))
        case .linear:
            return Marginal(signalScale: 1 - t, noiseScale: t, signalScaleDerivative: -1, noiseScaleDerivative: 1)
        }
    }

    func time(forLogSignalToNoiseRatio lambda: Double) -> Double {
        let ratio = Foundation.exp(-lambda / 2)  // σ/α
        switch kind {
        case .exploding: return ratio
        case .trigonometric: return Foundation.atan(ratio) * 2 / Double.pi
        case .linear: return ratio / (1 + ratio)
        }
    }
}

/// A parameterization that is one of Core's `Prediction`s.
struct PredictionParameterization: Parameterization {
    var prediction: Prediction
    init(_ prediction: Prediction) { self.prediction = prediction }
    func preconditioning(for marginal: Marginal) -> Preconditioning { prediction.preconditioning(for: marginal) }
}

/// EDM's preconditioning (Karras et al. 2022, Table 1) in units of x/α, written out for the tests.
struct EDMTestParameterization: Parameterization {
    var sigmaData = 0.5
    func preconditioning(for m: Marginal) -> Preconditioning {
        let s = m.noiseLevel
        let total = s * s + sigmaData * sigmaData
        return Preconditioning(
            skipScale: sigmaData * sigmaData / total / m.signalScale, outputScale: s * sigmaData / total.squareRoot(),
            inputScale: 1 / (total.squareRoot() * m.signalScale))
    }
}

/// F(x) = A·x + b row by row, whatever the condition: the linear score model of the tests.
struct LinearModel: TrainableModel {
    var parameters: ParameterSet

    init(a: [[Float]], b: [Float]) {
        parameters = ParameterSet([("A", Tensor(a.flatMap { $0 }, shape: [a.count, a.count])), ("b", Tensor(b))])
    }

    func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        Tensor.linear(x, weight: parameters.tensors[0], bias: parameters.tensors[1])
    }

    var a: [[Double]] {
        let v = parameters.tensors[0].scalars.map(Double.init)
        let d = parameters.tensors[1].scalarCount
        return (0..<d).map { i in (0..<d).map { v[i * d + $0] } }
    }

    var b: [Double] { parameters.tensors[1].scalars.map(Double.init) }

    /// A·x + b for one row, in Double.
    func apply(_ x: [Double]) -> [Double] {
        let (a, b) = (self.a, self.b)
        return a.indices.map { i in zip(a[i], x).map(*).reduce(0, +) + b[i] }
    }
}

/// Outputs each sample's label (or −1 for none) in every coordinate: shows which labels reached the model.
struct LabelEchoModel: ScoreModel {
    func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        let n = x.shape[0]
        let labels = condition.labels ?? [Int](repeating: -1, count: n)
        let d = x.scalarCount / n
        return Tensor(labels.flatMap { [Float](repeating: Float($0), count: d) }, shape: x.shape)
    }
}

/// Rows of a [N, d] tensor as Double arrays.
func rows(_ t: Tensor) -> [[Double]] {
    let d = t.shape[1]
    let v = t.scalars.map(Double.init)
    return (0..<t.shape[0]).map { i in Array(v[(i * d)..<((i + 1) * d)]) }
}

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map(*).reduce(0, +) }

/// |a − b| ≤ max(absolute, relative·max(|a|, |b|)).
func isClose(_ a: Double, _ b: Double, absolute: Double, relative: Double = 0) -> Bool {
    Swift.abs(a - b) <= Swift.max(absolute, relative * Swift.max(Swift.abs(a), Swift.abs(b)))
}

/// The fixed tiny batch of the hand-computed tests: two 2-D samples.
let tinyData = Tensor([0.5, -1.0, 1.5, 0.25], shape: [2, 2])
/// The fixed ε of the hand-computed tests.
let tinyNoise = Tensor([0.3, -0.8, -1.2, 0.6], shape: [2, 2])
/// The linear model of the hand-computed tests.
let tinyModel = LinearModel(a: [[-0.9, 0.2], [0.1, -1.3]], b: [0.15, -0.05])
