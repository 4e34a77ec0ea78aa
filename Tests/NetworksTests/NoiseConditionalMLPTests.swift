import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitTesting
import Testing

@Suite struct NoiseConditionalMLPTests {
    @Test func hasTheSeedNetworksParameters() {
        let model = NoiseConditionalMLP(dimension: 2, seed: 0)
        // emb 1→32→32, then 34→256→256→256→2: the peers' 142,178 parameters.
        #expect(model.parameters.scalarCount == 142_178)
        #expect(
            model.parameters.names == [
                "emb1.weight", "emb1.bias", "emb2.weight", "emb2.bias", "l1.weight", "l1.bias",
                "l2.weight", "l2.bias", "l3.weight", "l3.bias", "l4.weight", "l4.bias",
            ])
        #expect(model.parameters["l1.weight"]!.shape == [256, 34])
    }

    @Test func initialisationIsPyTorchsUniformAndSeeded() {
        let a = NoiseConditionalMLP(dimension: 2, seed: 3)
        let b = NoiseConditionalMLP(dimension: 2, seed: 3)
        let c = NoiseConditionalMLP(dimension: 2, seed: 4)
        #expect(a.parameters == b.parameters)
        #expect(a.parameters != c.parameters)
        let w = a.parameters["l2.weight"]!.scalars
        let bound: Float = 1 / 16  // 1/√256
        #expect(w.allSatisfy { abs($0) <= bound })
        // Uniform on ±bound: variance bound²/3 within 3 % (65,536 draws).
        let variance = w.map { $0 * $0 }.reduce(0, +) / Float(w.count)
        #expect(abs(variance / (bound * bound / 3) - 1) < 0.03)
        let zero = NoiseConditionalMLP(dimension: 2, zeroOutput: true, seed: 3)
        #expect(zero.parameters["l4.weight"]!.scalars.allSatisfy { $0 == 0 })
    }

    @Test func outputShapeAndConditioning() {
        let model = NoiseConditionalMLP(dimension: 3, hiddenWidths: [16, 16], seed: 1)
        let x = Tensor.linspace(-1, 1, count: 12).reshaped([4, 3])
        let m = Marginal(signalScale: 1, noiseScale: 0.5, signalScaleDerivative: 0, noiseScaleDerivative: 1)
        let y = model(x, NoiseCondition(count: 4, time: 0.3, marginal: m))
        #expect(y.shape == [4, 3])
        let other = model(
            x,
            NoiseCondition(
                count: 4, time: 0.3,
                marginal: Marginal(
                    signalScale: 1, noiseScale: 2, signalScaleDerivative: 0, noiseScaleDerivative: 1)))
        #expect(y != other)
    }

    /// A shared condition folds the embedding into the first layer's bias: the same function as
    /// the per-sample path, rounded in another order.
    @Test(arguments: [NoiseConditionalMLP.ConditioningInput.time, .logNoiseLevel])
    func aSharedConditionGivesThePerSampleValues(conditioning: NoiseConditionalMLP.ConditioningInput) {
        let model = NoiseConditionalMLP(dimension: 2, conditioning: conditioning, seed: 6)
        var noise = PerSampleNoise(seed: 1)
        let x = noise.normal([9, 2])
        let m = Marginal(signalScale: 0.8, noiseScale: 0.6, signalScaleDerivative: -0.3, noiseScaleDerivative: 0.4)
        let shared = NoiseCondition(count: 9, time: 0.37, marginal: m)
        let perSample = NoiseCondition(
            times: Array(repeating: 0.37, count: 9), marginals: Array(repeating: m, count: 9))
        #expect(shared.isShared && !perSample.isShared)
        let a = model(x, shared).scalars
        let b = model(x, perSample).scalars
        let largest = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        #expect(largest <= 1e-5 * (b.map(abs).max() ?? 1), "largest difference \(largest)")
    }

    /// A batch above 1,024 rows runs in pieces of about 512 rows: piece k's rows are exactly what
    /// the piece alone gives.
    @Test func largeBatchesRunInPieces() {
        let model = NoiseConditionalMLP(dimension: 2, conditioning: .time, seed: 2)
        var noise = PerSampleNoise(seed: 4)
        let x = noise.normal([2_500, 2])
        let times = (0..<2_500).map { 0.1 + Double($0 % 7) / 10 }
        let m = Marginal(signalScale: 0.9, noiseScale: 0.4, signalScaleDerivative: 0, noiseScaleDerivative: 1)
        let condition = NoiseCondition(times: times, marginals: Array(repeating: m, count: 2_500))
        let y = model(x, condition)
        #expect(y.shape == [2_500, 2])
        for piece in [0..<500, 2_000..<2_500] {
            let alone = model(x.slice(alongAxis: 0, piece), condition.rows(piece))
            #expect(y.slice(alongAxis: 0, piece) == alone, "rows \(piece)")
        }
    }

    /// Untracked calls run on panels (`PanelBatch`), tracked ones through the recorded ops: the
    /// same function within rounding, per-sample and shared conditions, with and without labels.
    @Test(arguments: [0, 3])
    func inferenceAgreesWithTheRecordedPath(classCount: Int) {
        let model = NoiseConditionalMLP(dimension: 2, conditioning: .time, classCount: classCount, seed: 8)
        var noise = PerSampleNoise(seed: 2)
        let x = noise.normal([45, 2])
        let m = Marginal(signalScale: 0.7, noiseScale: 0.7, signalScaleDerivative: -0.3, noiseScaleDerivative: 0.3)
        let labels: [Int]? = classCount > 0 ? (0..<45).map { $0 % 3 } : nil
        let conditions = [
            NoiseCondition(
                times: (0..<45).map { 0.02 * Double($0) }, marginals: Array(repeating: m, count: 45),
                labels: labels),
            NoiseCondition(
                count: 45, time: 0.4, marginal: m, labels: classCount > 0 ? Array(repeating: 1, count: 45) : nil),
        ]
        for condition in conditions {
            let panels = model(x, condition).scalars
            let recorded = model(x.tracked(), condition).scalars
            let largest = zip(panels, recorded).map { abs($0 - $1) }.max() ?? 0
            #expect(largest <= 1e-5 * (recorded.map(abs).max() ?? 1), "largest difference \(largest)")
        }
    }

    /// Untracked, a sample's output is the same bits alone or among others.
    @Test func untrackedRowsDoNotDependOnTheBatch() {
        let model = NoiseConditionalMLP(dimension: 2, conditioning: .time, seed: 9)
        var noise = PerSampleNoise(seed: 3)
        let x = noise.normal([40, 2])
        let m = Marginal(signalScale: 0.9, noiseScale: 0.4, signalScaleDerivative: 0, noiseScaleDerivative: 1)
        let condition = NoiseCondition(
            times: (0..<40).map { 0.01 + 0.02 * Double($0) }, marginals: Array(repeating: m, count: 40))
        let whole = model(x, condition)
        for rows in [0..<1, 5..<12, 39..<40] {
            #expect(model(x.slice(alongAxis: 0, rows), condition.rows(rows)) == whole.slice(alongAxis: 0, rows))
        }
    }

    @Test func parameterGradientsMatchFiniteDifferences() {
        let model = NoiseConditionalMLP(dimension: 2, embeddingWidth: 4, hiddenWidths: [8, 8], seed: 5)
        let x = Tensor([0.3, -0.7, 1.1, 0.2, -0.4, 0.9], shape: [3, 2])
        let m = Marginal(signalScale: 1, noiseScale: 0.7, signalScaleDerivative: 0, noiseScaleDerivative: 1)
        let condition = NoiseCondition(count: 3, time: 0.5, marginal: m)
        let names = model.parameters.names
        let result = checkGradients(
            of: { inputs in
                var copy = model
                copy.parameters = ParameterSet(Array(zip(names, inputs)))
                return copy(x, condition)
            }, at: model.parameters.tensors, absoluteTolerance: 2e-3, relativeTolerance: 2e-2)
        #expect(result.passed, "\(result)")
    }
}

@Suite struct AdamTests {
    /// Two steps by hand: m, v, bias corrections and ε as torch.optim.Adam.
    @Test func matchesHandComputedSteps() {
        let adam = Adam(beta1: 0.9, beta2: 0.99, epsilon: 1e-8)
        var parameters = ParameterSet([("w", Tensor([1, -2]))])
        var state = adam.initialState(for: parameters)
        let g1 = Tensor([0.5, -0.25])
        let g2 = Tensor([0.1, 0.3])
        adam.update(&parameters, gradients: [g1], state: &state, learningRate: 0.1)
        adam.update(&parameters, gradients: [g2], state: &state, learningRate: 0.1)
        var expected: [Double] = [1, -2]
        var m: [Double] = [0, 0]
        var v: [Double] = [0, 0]
        for (t, g) in [[0.5, -0.25], [0.1, 0.3]].enumerated() {
            for i in 0..<2 {
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i]
                let mHat = m[i] / (1 - pow(0.9, Double(t + 1)))
                let vHat = v[i] / (1 - pow(0.99, Double(t + 1)))
                expected[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        let got = parameters["w"]!.scalars
        for i in 0..<2 { #expect(abs(Double(got[i]) - expected[i]) < 1e-6) }
        #expect(state.stepCount == 2)
    }

    @Test func decoupledWeightDecayShrinksParameters() {
        let adamW = Adam(weightDecay: 0.1)
        var parameters = ParameterSet([("w", Tensor([2]))])
        var state = adamW.initialState(for: parameters)
        adamW.update(&parameters, gradients: [Tensor([0])], state: &state, learningRate: 0.5)
        // Zero gradient: only θ ← θ(1 − ηλ) acts.
        #expect(abs(parameters["w"]!.scalar - 2 * (1 - 0.05)) < 1e-6)
    }

    @Test func globalNormClippingMatchesTorch() {
        let grads = [Tensor([3, 4]), Tensor([12])]  // norm 13
        let (clipped, norm) = GradientClipping.clipByGlobalNorm(grads, maxNorm: 1)
        #expect(abs(norm - 13) < 1e-9)
        let scale = Float(1 / (13 + 1e-6))
        #expect(clipped[0].scalars == [3 * scale, 4 * scale])
        let (unchanged, _) = GradientClipping.clipByGlobalNorm(grads, maxNorm: 20)
        #expect(unchanged[1].scalars == [12])
    }
}
