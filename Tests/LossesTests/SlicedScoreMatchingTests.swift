import Foundation
import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import ScoreKitTesting
import Testing

@Suite struct SlicedScoreMatchingTests {
    static func loss(_ settings: ConfigurationValue) throws -> SlicedScoreMatching {
        var registry = ComponentRegistry()
        registry.registerLosses()
        return try #require(try registry.make(.loss, from: settings) as? SlicedScoreMatching)
    }

    /// The linear model's score s = a·x + β·(A·c_in·x + b) and Jacobian a·I + β·c_in·A, for one marginal.
    static func linearScore(
        _ x: [Double], _ m: Marginal, _ prediction: Prediction
    ) -> (score: [Double], jvv: ([Double]) -> Double) {
        let c = prediction.preconditioning(for: m)
        let variance = m.noiseScale * m.noiseScale
        let a = (m.signalScale * c.skipScale - 1) / variance
        let beta = m.signalScale * c.outputScale / variance
        let f = tinyModel.apply(x)
        let score = zip(x, f).map { a * $0 + beta * $1 }
        let matrix = tinyModel.a
        return (score, { v in a * dot(v, v) + beta * dot(v, matrix.map { dot($0, v) }) })
    }

    /// J per sample by hand: (1/M)Σ_m [vᵀJv + ½(vᵀs)²] or (1/M)Σ_m vᵀJv + ½‖s‖², then ·λ/D.
    static func hand(
        x: [[Double]], marginals: [Marginal], projections: [[Double]], count m: Int,
        variant: SlicedScoreMatching.Variant,
        prediction: Prediction, lambda: [Double]
    ) -> [Double] {
        x.indices.map { i in
            let (s, jvv) = linearScore(x[i], marginals[i], prediction)
            var trace = 0.0
            var projected = 0.0
            for k in 0..<m {
                let v = Array(projections[i][(2 * k)..<(2 * k + 2)])
                trace += jvv(v)
                projected += 0.5 * dot(v, s) * dot(v, s)
            }
            let j = variant == .standard ? (trace + projected) / Double(m) : trace / Double(m) + 0.5 * dot(s, s)
            return j * lambda[i] / 2
        }
    }

    @Test(arguments: SlicedScoreMatching.Variant.allCases, [1, 3])
    func cleanDataMatchesHandComputedValues(_ variant: SlicedScoreMatching.Variant, _ count: Int) throws {
        let loss = try Self.loss(
            [
                "kind": "sliced-score-matching", "data": "clean", "fixedTime": 0.05,
                "variant": .string(variant.rawValue),
                "projectionCount": .integer(count),
            ])
        let v = normalTensor([2, 2 * count], seed: 3)
        var noise = ReplayedNoise(normals: [v])
        let process = TestProcess(.exploding)
        let result = loss.evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: process,
            parameterization: PredictionParameterization(.score),
            noise: &noise)
        #expect(noise.isExhausted && result.times == [0.05, 0.05])
        let m = process.marginal(at: 0.05)
        let expected = Self.hand(
            x: rows(tinyData), marginals: [m, m], projections: rows(v), count: count, variant: variant,
            prediction: .score,
            lambda: [1, 1])
        for (a, b) in zip(result.perSample.scalars, expected) {
            #expect(isClose(Double(a), b, absolute: 1e-6, relative: 1e-5), "\(variant) M = \(count): \(a) vs \(b)")
        }
    }

    @Test(arguments: [Prediction.epsilon, .denoised, .velocity])
    func perturbedDataMatchesHandComputedValues(_ prediction: Prediction) throws {
        let loss = try Self.loss(["kind": "sliced-score-matching", "variant": "standard", "projection": "rademacher"])
        let v = Tensor([1, -1, -1, -1], shape: [2, 2])
        var noise = ReplayedNoise(normals: [tinyNoise], uniforms: [Tensor([0.25, 0.5])], rademachers: [v])
        let process = TestProcess(.trigonometric)
        let result = loss.evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: process,
            parameterization: PredictionParameterization(prediction),
            noise: &noise)
        #expect(noise.isExhausted)
        let marginals = result.times.map { process.marginal(at: $0) }
        let x = zip(rows(tinyData), rows(tinyNoise)).enumerated().map { i, pair in
            zip(pair.0, pair.1).map { marginals[i].signalScale * $0 + marginals[i].noiseScale * $1 }
        }
        let expected = Self.hand(
            x: x, marginals: marginals, projections: rows(v), count: 1, variant: .standard, prediction: prediction,
            lambda: marginals.map { $0.noiseScale * $0.noiseScale })
        for (a, b) in zip(result.perSample.scalars, expected) {
            #expect(isClose(Double(a), b, absolute: 1e-5, relative: 1e-4), "\(prediction): \(a) vs \(b)")
        }
    }

    /// With many projections SSM-VR's trace estimate tends to ISM's exact trace.
    @Test func manyProjectionsApproachTheExactTrace() throws {
        let count = 4000
        let sliced = try Self.loss([
            "kind": "sliced-score-matching", "data": "clean", "fixedTime": 0.05, "projectionCount": .integer(count),
        ])
        var noise = PerSampleNoise(seed: 11)
        let value = sliced.evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: TestProcess(.exploding),
            parameterization: PredictionParameterization(.score), noise: &noise
        ).value.scalar
        // tr(A) = −2.2; ½‖Ax + b‖² per sample; mean over 2 samples, /D = 2.
        let exact =
            rows(tinyData).map { x -> Double in
                let s = tinyModel.apply(x)
                return (-2.2 + 0.5 * dot(s, s)) / 2
            }.reduce(0, +) / 2
        // Standard error of vᵀAv over 2 × 4000 Gaussian v: √(2‖(A + Aᵀ)/2‖_F²/8000)/2 ≈ 0.0085.
        #expect(Swift.abs(Double(value) - exact) < 0.035, "\(value) vs \(exact)")
    }

    @Test func parameterGradientsFlowThroughTheJacobian() throws {
        let loss = try Self.loss(["kind": "sliced-score-matching", "projectionCount": 2, "variant": "standard"])
        let model = NoiseConditionalMLP(dimension: 2, embeddingWidth: 4, hiddenWidths: [6], seed: 2)
        let batch = TrainingBatch(data: Tensor([0.4, -0.3, 1.1, 0.7, -0.9, 0.2], shape: [3, 2]))
        let result = checkGradients(
            of: { inputs in
                var copy = model
                copy.parameters = ParameterSet(Array(zip(model.parameters.names, inputs)))
                var noise = PerSampleNoise(seed: 5)
                return loss.evaluate(
                    batch, model: copy, sde: TestProcess(.trigonometric),
                    parameterization: PredictionParameterization(.epsilon),
                    noise: &noise
                ).value
            }, at: model.parameters.tensors, absoluteTolerance: 2e-4, relativeTolerance: 2e-2)
        #expect(result.passed, "\(result)")
    }

    @Test func evaluatesWithoutRecordingToo() throws {
        let loss = try Self.loss(["kind": "sliced-score-matching", "data": "clean", "fixedTime": 0.05])
        func value() -> Float {
            var noise = PerSampleNoise(seed: 1)
            return loss.evaluate(
                TrainingBatch(data: tinyData), model: tinyModel, sde: TestProcess(.exploding),
                parameterization: PredictionParameterization(.score), noise: &noise
            ).value.scalar
        }
        let recorded = value()
        let unrecorded = Autodiff.withoutRecording { value() }
        #expect(recorded == unrecorded)
    }
}

/// Standard normal values from Core's Philox stream 0 of `seed`.
func normalTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var stream = RandomStream(seed: seed, stream: 0)
    return Tensor(shape: shape) { stream.fillNormal($0) }
}
