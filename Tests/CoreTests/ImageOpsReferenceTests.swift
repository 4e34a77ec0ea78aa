import Foundation
import ScoreKitCore
import Testing

/// The image operations against PyTorch on fixed inputs: the fixture
/// (scripts/fixtures/image_ops_reference.py) holds each case's inputs, PyTorch's output, an output
/// weighting and the gradients of Σ seed·output with respect to every input.
@Suite("Image operations against PyTorch")
struct ImageOpsReferenceTests {
    static let fixturePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/image-ops-reference.safetensors").path

    /// A case: its input names and the function of them.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let inputs: [String]
        let f: @Sendable ([Tensor]) -> Tensor
        var testDescription: String { name }
    }

    /// The attention block of the fixture: GroupNorm (4 groups), 1×1 qkv convolution, 2 heads,
    /// 1×1 projection, residual.
    static func attentionBlock(_ t: [Tensor]) -> Tensor {
        let (x, heads) = (t[0], 2)
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let hidden = Tensor.groupNormalization(x, groupCount: 4, weight: t[1], bias: t[2])
        let qkv = Tensor.convolution(hidden, weight: t[3], bias: t[4]).reshaped([n, 3, heads * (c / heads) * h * w])
        func part(_ k: Int) -> Tensor {
            qkv.slice(alongAxis: 1, k..<(k + 1)).reshaped([n * heads, c / heads, h * w])
        }
        let y = Tensor.attention(query: part(0), key: part(1), value: part(2)).reshaped([n, c, h, w])
        return x + Tensor.convolution(y, weight: t[5], bias: t[6])
    }

    static let cases: [Case] = [
        Case(name: "conv", inputs: ["x", "weight", "bias"]) {
            Tensor.convolution($0[0], weight: $0[1], bias: $0[2], padding: 1)
        },
        Case(name: "convStrided", inputs: ["x", "weight", "bias"]) {
            Tensor.convolution($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, groups: 2)
        },
        Case(name: "convDepthwise", inputs: ["x", "weight"]) {
            Tensor.convolution($0[0], weight: $0[1], padding: 2, groups: 3)
        },
        Case(name: "convTransposed", inputs: ["x", "weight", "bias"]) {
            Tensor.transposedConvolution($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1)
        },
        Case(name: "upsample", inputs: ["x"]) { $0[0].upsampledNearest(factor: 2) },
        Case(name: "avgPool", inputs: ["x"]) { $0[0].averagePooled(size: 2) },
        Case(name: "avgPoolPadded", inputs: ["x"]) { $0[0].averagePooled(size: 3, stride: 2, padding: 1) },
        Case(name: "groupNorm", inputs: ["x", "weight", "bias"]) {
            Tensor.groupNormalization($0[0], groupCount: 3, weight: $0[1], bias: $0[2])
        },
        Case(name: "softmax", inputs: ["x"]) { softmax($0[0]) },
        Case(
            name: "attention",
            inputs: ["x", "normWeight", "normBias", "qkvWeight", "qkvBias", "projWeight", "projBias"],
            f: attentionBlock),
    ]

    /// max |a − b| / max(1, max |b|): the error relative to the reference's scale.
    static func scaledError(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape, "\(a.shape) vs \(b.shape)")
        let scale = Swift.max(1, b.scalars.map { Double(Swift.abs($0)) }.max() ?? 0)
        return zip(a.scalars, b.scalars).reduce(0) { Swift.max($0, Double(Swift.abs($1.0 - $1.1))) } / scale
    }

    @Test(arguments: cases)
    func forwardAndGradientsAgreeWithPyTorch(_ c: Case) throws {
        let file = try SafeTensorsFile.read(Self.fixturePath)
        let inputs = try c.inputs.map { try file.tensor("\(c.name).\($0)").tracked() }
        let seed = try file.tensor("\(c.name).seed")
        let (output, grads) = Autodiff.withRecording {
            let y = c.f(inputs)
            return (y, gradients(of: y, wrt: inputs, seed: seed))
        }
        let forwardError = Self.scaledError(output, try file.tensor("\(c.name).out"))
        #expect(forwardError < 1e-5, "\(c.name) output: error \(forwardError)")
        for (name, g) in zip(c.inputs, grads) {
            let error = Self.scaledError(g, try file.tensor("\(c.name).grad.\(name)"))
            #expect(error < 1e-5, "\(c.name) ∂\(name): error \(error)")
        }
    }
}
