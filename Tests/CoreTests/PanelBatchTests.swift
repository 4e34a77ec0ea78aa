import Foundation
import Testing

@testable import ScoreKitCore

/// The panel layout and its dense layers (`PanelBatch`, `PanelKernels`), against a Double reference.
@Suite("Panel batches")
struct PanelBatchTests {
    /// act(W·x + b) in Double, row by row: [count, outputs].
    static func reference(_ x: Tensor, _ w: Tensor, _ b: Tensor?, silu: Bool) -> [Double] {
        let (count, inputs, outputs) = (x.shape[0], x.shape[1], w.shape[0])
        let (xs, ws, bs) = (x.scalars, w.scalars, b?.scalars)
        var out = [Double](repeating: 0, count: count * outputs)
        for i in 0..<count {
            for o in 0..<outputs {
                var z = bs.map { Double($0[o]) } ?? 0
                for k in 0..<inputs { z += Double(xs[i * inputs + k]) * Double(ws[o * inputs + k]) }
                out[i * outputs + o] = silu ? z / (1 + Foundation.exp(-z)) : z
            }
        }
        return out
    }

    /// The largest |a − b| / (1 + |b|).
    static func worst(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? 0
    }

    @Test(
        "packing and unpacking returns every value, for partial and whole panels",
        arguments: [1, 31, 32, 33, 70])
    func roundTrip(count: Int) {
        var random = SplitMix64(seed: UInt64(count))
        let x = random.uniform([count, 3])
        let batch = PanelBatch(x)
        #expect(batch.count == count && batch.features == 3)
        #expect(batch.tensor() == x)
    }

    /// Shapes that exercise whole tiles, leftover rows (outputs 1, 2, 7, 9, 13), inner sizes of one
    /// and many, and partial panels; both tiles on every build, SiLU and identity.
    @Test(
        "a layer is act(W·x + b) within 1e-5 for every tile, shape and activation",
        arguments: [(1, 1, 8), (5, 2, 2), (33, 34, 13), (64, 256, 16), (70, 7, 9), (3, 32, 1)])
    func layerMatchesTheReference(count: Int, inputs: Int, outputs: Int) {
        var random = SplitMix64(seed: UInt64(count * 1_000 + inputs * 10 + outputs))
        let x = random.uniform([count, inputs], -2, 2)
        let bound = Float(1 / Double(inputs).squareRoot())
        let w = random.uniform([outputs, inputs], -bound, bound)
        let b = random.uniform([outputs], -0.5, 0.5)
        let input = PanelBatch(x)
        for tile in PanelKernels.Tile.allCases {
            for silu in [false, true] {
                for bias in [b, nil] as [Tensor?] {
                    let out = TensorStorage(uninitializedCount: input.panelCount * outputs * PanelKernels.width)
                    PanelKernels.affine(
                        weight: w.storage.base, bias: bias.map { UnsafePointer($0.storage.base) }, outputs: outputs,
                        inputs: inputs, input: input.storage.base, output: out.base, panels: 0..<input.panelCount,
                        silu: silu, tile: tile)
                    let y = Tensor(shape: [count, outputs]) { buffer in
                        PanelKernels.unpack(out.base, count: count, features: outputs, into: buffer.baseAddress!)
                    }
                    let error = Self.worst(y.scalars, Self.reference(x, w, bias, silu: silu))
                    #expect(error < 1e-5, "\(tile), silu \(silu), bias \(bias != nil): error \(error)")
                }
            }
        }
        let public_ = input.linear(weight: w, bias: b, activation: .silu).tensor()
        #expect(Self.worst(public_.scalars, Self.reference(x, w, b, silu: true)) < 1e-5)
        #expect(
            Self.worst(Tensor.linearSiLU(x, weight: w, bias: b).scalars, Self.reference(x, w, b, silu: true)) < 1e-5)
    }

    @Test("a sample's result is the same bits whether it runs alone or in a batch of 1, 7 or 100")
    func samplesAreComputedAlone() {
        var random = SplitMix64(seed: 11)
        let x = random.uniform([100, 34], -2, 2)
        let w1 = random.uniform([256, 34], -0.17, 0.17)
        let b1 = random.uniform([256], -0.1, 0.1)
        let w2 = random.uniform([2, 256], -0.06, 0.06)
        func network(_ rows: Tensor) -> Tensor {
            PanelBatch(rows).linear(weight: w1, bias: b1, activation: .silu).linear(weight: w2, bias: nil).tensor()
        }
        let whole = network(x).scalars
        for size in [1, 7] {
            var start = 0
            while start < 100 {
                let rows = start..<min(100, start + size)
                let part = network(x.slice(alongAxis: 0, rows)).scalars
                #expect(part == Array(whole[(rows.lowerBound * 2)..<(rows.upperBound * 2)]), "rows \(rows)")
                start += size
            }
        }
    }

    @Test("stacking concatenates features and + adds sample by sample")
    func stackingAndSum() {
        var random = SplitMix64(seed: 5)
        let a = random.uniform([40, 2])
        let b = random.uniform([40, 3])
        let stacked = PanelBatch(stacking: [PanelBatch(a), PanelBatch(b)])
        #expect(stacked.features == 5)
        #expect(stacked.tensor() == Tensor.concatenate([a, b], alongAxis: 1))
        let c = random.uniform([40, 3])
        #expect((PanelBatch(b) + PanelBatch(c)).tensor() == b + c)
    }
}
