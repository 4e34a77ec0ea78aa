import Foundation
import ScoreKitCore
import ScoreKitLosses
import Testing

@Suite struct DenoisingScoreMatchingTests {
    static func loss(_ settings: ConfigurationValue) throws -> DenoisingScoreMatching {
        var registry = ComponentRegistry()
        registry.registerLosses()
        return try #require(try registry.make(.loss, from: settings) as? DenoisingScoreMatching)
    }

    /// λ(t) written from each process's closed form (not from `Marginal`).
    static func handWeight(
        _ weighting: DenoisingScoreMatching.Weighting, _ kind: TestProcess.Kind, _ t: Double
    ) -> Double {
        let h = Double.pi / 2
        let (alpha, sigma): (Double, Double) =
            kind == .exploding ? (1, t) : (Foundation.cos(h * t), Foundation.sin(h * t))
        let snr = alpha * alpha / (sigma * sigma)
        switch weighting {
        case .noiseVariance: return sigma * sigma
        case .likelihood:
            // g² = 2σσ' − 2(α'/α)σ²: 2t for σ = t; π·tan(πt/2) for the trigonometric process.
            return kind == .exploding ? 2 * t : Double.pi * Foundation.tan(h * t)
        case .unit: return 1
        case .signalToNoise: return alpha * alpha
        case .minSignalToNoise: return sigma * sigma * Swift.min(snr, 5) / snr
        }
    }

    /// ½·λ·mean_d (s_θ − s*)² per sample, in Double, through x̂₀ and the score (not the output error).
    static func handLoss(
        times: [Double], process: TestProcess, prediction: Prediction, lambda: (Double) -> Double, sum: Bool = false
    ) -> [Double] {
        let x0 = rows(tinyData), eps = rows(tinyNoise)
        return times.indices.map { i in
            let m = process.marginal(at: times[i])
            let c = prediction.preconditioning(for: m)
            let x = zip(x0[i], eps[i]).map { m.signalScale * $0 + m.noiseScale * $1 }
            let f = tinyModel.apply(x)
            let denoised = zip(x, f).map { c.skipScale * $0 + c.outputScale * $1 }
            let score = zip(denoised, x).map { (m.signalScale * $0 - $1) / (m.noiseScale * m.noiseScale) }
            let target = eps[i].map { -$0 / m.noiseScale }
            let squared = zip(score, target).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            return 0.5 * lambda(times[i]) * squared / (sum ? 1 : 2)
        }
    }

    @Test(arguments: DenoisingScoreMatching.Weighting.allCases, [TestProcess.Kind.exploding, .trigonometric])
    func weightingsMatchHandComputedValues(
        _ weighting: DenoisingScoreMatching.Weighting, _ kind: TestProcess.Kind
    ) throws {
        let process = TestProcess(kind)
        let u: [Float] = [0.25, 0.0625]
        let range = process.timeRange
        let times = u.map { range.lowerBound + Double($0) * (range.upperBound - range.lowerBound) }
        for prediction in [Prediction.score, .epsilon, .denoised, .velocity] {
            let loss = try Self.loss(["kind": "denoising-score-matching", "weighting": .string(weighting.rawValue)])
            var noise = ReplayedNoise(normals: [tinyNoise], uniforms: [Tensor(u)])
            let result = loss.evaluate(
                TrainingBatch(data: tinyData), model: tinyModel, sde: process,
                parameterization: PredictionParameterization(prediction), noise: &noise)
            let expected = Self.handLoss(times: times, process: process, prediction: prediction) {
                Self.handWeight(weighting, kind, $0)
            }
            #expect(noise.isExhausted)
            for (a, b) in zip(result.perSample.scalars, expected) {
                #expect(
                    isClose(Double(a), b, absolute: 1e-6, relative: 1e-4),
                    "\(weighting) \(kind) \(prediction): \(a) vs \(b)")
            }
            #expect(isClose(Double(result.value.scalar), expected.reduce(0, +) / 2, absolute: 1e-6, relative: 1e-4))
            #expect(zip(result.times, times).allSatisfy { isClose($0, $1, absolute: 1e-12) })
        }
    }

    /// NCSN's loss (Song & Ermon 2019, eq. 5–6): ½·Σ_d σ_i²‖s_θ(x̃, σ_i) + (x̃ − x)/σ_i²‖², σ_i one of L levels.
    @Test func noiseLevelsIsNCSNsMultiLevelLoss() throws {
        let loss = try Self.loss(
            [
                "kind": "denoising-score-matching", "timeDistribution": "noiseLevels", "levelCount": 4, "sigmaMax": 1,
                "sigmaMin": 0.001, "reduction": "sum",
            ])
        #expect(
            loss.noiseLevels().enumerated().allSatisfy {
                isClose($1, Foundation.pow(10, -Double($0)), absolute: 1e-15, relative: 1e-12)
            })
        // u in bin k of 4 picks level k: 0.3 → σ = 0.1, 0.9 → σ = 0.001. On α = 1, σ = t, t is σ itself.
        var noise = ReplayedNoise(normals: [tinyNoise], uniforms: [Tensor([0.3, 0.9])])
        let process = TestProcess(.exploding)
        let result = loss.evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: process,
            parameterization: PredictionParameterization(.score),
            noise: &noise)
        #expect(isClose(result.times[0], 0.1, absolute: 1e-12) && isClose(result.times[1], 0.001, absolute: 1e-12))
        let x0 = rows(tinyData), eps = rows(tinyNoise)
        for i in 0..<2 {
            let sigma = result.times[i]
            let perturbed = zip(x0[i], eps[i]).map { $0 + sigma * $1 }
            let s = tinyModel.apply(perturbed)
            let residual = zip(s, zip(perturbed, x0[i])).map { $0 + ($1.0 - $1.1) / (sigma * sigma) }
            let expected = 0.5 * sigma * sigma * dot(residual, residual)
            #expect(isClose(Double(result.perSample.scalars[i]), expected, absolute: 1e-6, relative: 1e-4))
        }
    }

    /// DDPM's L_simple (Ho et al. 2020, eq. 14) at integer steps: ½·mean_d ‖ε_θ(x_n, n) − ε‖², n ~ U{1 … N}.
    @Test func discreteStepsIsDDPMsSimpleLoss() throws {
        let loss = try Self.loss(
            ["kind": "denoising-score-matching", "timeDistribution": "discreteSteps", "discreteStepCount": 50])
        let process = TestProcess(.trigonometric)  // t ∈ [0.01, 0.99]: t_n = 0.01 + 0.02·(n − 1)
        var noise = ReplayedNoise(normals: [tinyNoise], uniforms: [Tensor([0.0, 0.99])])
        let result = loss.evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: process,
            parameterization: PredictionParameterization(.epsilon),
            noise: &noise)
        // u = 0 → n = 1 → t = 0.01;  u = 0.99 → n = ⌊49.5⌋ + 1 = 50 → t = 0.99.
        #expect(result.times == [0.01, 0.99])
        let x0 = rows(tinyData), eps = rows(tinyNoise)
        for i in 0..<2 {
            let m = process.marginal(at: result.times[i])
            let x = zip(x0[i], eps[i]).map { m.signalScale * $0 + m.noiseScale * $1 }
            let e = tinyModel.apply(x)
            let expected = 0.5 * zip(e, eps[i]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 2
            #expect(isClose(Double(result.perSample.scalars[i]), expected, absolute: 1e-6, relative: 1e-4))
        }
        // Every step is reachable and the times are the N grid points.
        var all = ReplayedNoise(
            normals: [Tensor.zeros([50, 2])], uniforms: [Tensor((0..<50).map { (Float($0) + 0.5) / 50 })])
        let grid = loss.evaluate(
            TrainingBatch(data: Tensor.zeros([50, 2])), model: tinyModel, sde: process,
            parameterization: PredictionParameterization(.epsilon), noise: &all
        ).times
        for (n, t) in grid.enumerated() { #expect(isClose(t, 0.01 + 0.02 * Double(n), absolute: 1e-12)) }
    }

    @Test func labelDropoutReplacesLabelsAndDrawsOnlyWhenAsked() throws {
        let batch = TrainingBatch(data: Tensor.zeros([4, 2]), labels: [0, 1, 2, 3])
        let process = TestProcess(.exploding)
        let u = Tensor([0.5, 0.5, 0.5, 0.5])
        // p = 0: no uniforms beyond the times (the replay would fail on an unplanned draw).
        var plain = ReplayedNoise(normals: [Tensor.zeros([4, 2])], uniforms: [u])
        _ = try Self.loss(["kind": "denoising-score-matching"]).evaluate(
            batch, model: LabelEchoModel(), sde: process, parameterization: PredictionParameterization(.score),
            noise: &plain)
        #expect(plain.isExhausted)
        // p = 0.3: samples whose uniform is below 0.3 lose their label.
        let loss = try Self.loss(["kind": "denoising-score-matching", "labelDropout": 0.3, "weighting": "unit"])
        var noise = ReplayedNoise(normals: [Tensor.zeros([4, 2])], uniforms: [u, Tensor([0.1, 0.9, 0.29, 0.31])])
        let result = loss.evaluate(
            batch, model: LabelEchoModel(), sde: process, parameterization: PredictionParameterization(.score),
            noise: &noise)
        // Zero data and noise: the score error is the model output, the label; ½·mean_d(y²).
        #expect(result.perSample.scalars == [0.5, 0.5, 0.5, 4.5])
        #expect(throws: ConfigurationError.self) {
            try Self.loss(["kind": "denoising-score-matching", "labelDropout": 1.5])
        }
    }

    /// Which samples lose their label depends on their own streams, not on the batch they are in.
    @Test func labelDropoutIsPerSampleWhateverTheBatch() {
        func dropped(count: Int) -> [Bool] {
            var noise = PerSampleNoise(seed: 42)
            _ = noise.uniform([count])  // as if times were drawn first
            let labels = LabelDropout.apply([Int](repeating: 2, count: count), probability: 0.5, noise: &noise)!
            return labels.map { $0 == NoiseCondition.nullLabel }
        }
        let small = dropped(count: 16)
        let large = dropped(count: 256)
        #expect(Array(large.prefix(16)) == small)
        let rate = Double(large.filter { $0 }.count) / 256
        #expect(rate > 0.4 && rate < 0.6, "dropout rate \(rate) for p = 0.5 over 256 samples (σ = 0.031)")
        var noise = PerSampleNoise(seed: 1)
        #expect(LabelDropout.apply(nil, probability: 0.5, noise: &noise) == nil)
        #expect(LabelDropout.apply([1, 2], probability: 1, noise: &noise) == [-1, -1])
        #expect(noise.drawCounter == 1)  // nothing drawn without labels
    }
}
