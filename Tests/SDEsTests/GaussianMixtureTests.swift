import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import Testing

@Suite("GaussianMixture")
struct GaussianMixtureTests {
    static let ring = GaussianMixture.ring()

    /// A 3-D mixture with full, diagonal and isotropic covariances and unequal weights.
    static let skewed: GaussianMixture = {
        do {
            return try GaussianMixture(
                weights: [0.5, 0.3, 0.2], means: [[1, 0, -1], [-2, 1, 0.5], [0, -1.5, 2]],
                covariances: [
                    .full([[0.5, 0.2, 0.1], [0.2, 0.3, -0.05], [0.1, -0.05, 0.4]]), .diagonal([0.2, 0.6, 0.1]),
                    .isotropic(variance: 0.25),
                ])
        } catch {
            preconditionFailure("\(error)")
        }
    }()

    /// A point near the marginal's mass at time t.
    static func point(_ mixture: GaussianMixture, _ m: Marginal, _ random: inout TestRandom) -> [Double] {
        let k = Int(random.uniform() * Double(mixture.componentCount))
        return mixture.means[k].map {
            m.signalScale * $0 + (m.signalScale * m.signalScale * 0.3 + m.noiseScale * m.noiseScale).squareRoot()
                * random.normal()
        }
    }

    @Test("score = finite-difference gradient of the log-density", arguments: allProcesses)
    func scoreIsTheGradientOfTheLogDensity(_ process: ProcessCase) {
        var random = TestRandom(seed: 41)
        var worst = 0.0
        for mixture in [Self.ring, Self.skewed] {
            for _ in 0..<10 {
                let m = process.sde.marginal(at: random.time(in: process.sde))
                let x = Self.point(mixture, m, &random)
                let e = mixture.evaluation(at: x, marginal: m)
                let width = (m.signalScale * m.signalScale * 0.05 + m.noiseScale * m.noiseScale).squareRoot()
                let h = 1e-4 * width
                for j in 0..<mixture.dimension {
                    var (plus, minus) = (x, x)
                    plus[j] += h
                    minus[j] -= h
                    let fd =
                        (mixture.evaluation(at: plus, marginal: m).logDensity
                            - mixture.evaluation(at: minus, marginal: m).logDensity) / (2 * h)
                    let error = Swift.abs(fd - e.score[j]) * width
                    worst = Swift.max(worst, error)
                    #expect(error < 1e-6, "∂/∂x\(j) at \(x): score \(e.score[j]), finite difference \(fd)")
                }
            }
        }
        print("[\(process.name)] worst |score − FD|·width: \(worst)")
    }

    @Test("density integrates to 1 on a fine 2-D grid", arguments: allProcesses)
    func densityIntegratesToOne(_ process: ProcessCase) {
        let sde = process.sde
        for t in [sde.timeRange.lowerBound, sde.time(forLogSignalToNoiseRatio: 0)] {
            let m = sde.marginal(at: t)
            let width = (m.signalScale * m.signalScale * 0.16 + m.noiseScale * m.noiseScale).squareRoot()
            let extent = 5 * m.signalScale + 9 * width
            let step = width / 6
            let n = Int((2 * extent / step).rounded(.up))
            var total = 0.0
            for i in 0..<n {
                for j in 0..<n {
                    let x = [-extent + (Double(i) + 0.5) * step, -extent + (Double(j) + 0.5) * step]
                    total += Foundation.exp(Self.ring.evaluation(at: x, marginal: m).logDensity)
                }
            }
            total *= step * step
            print(
                "[\(process.name)] ∫p_t at t = \(t) (\(n)² points): 1 \(total >= 1 ? "+" : "−") \(Swift.abs(total - 1))"
            )
            #expect(isClose(total, 1, absolute: 1e-9), "t = \(t): \(total)")
        }
    }

    @Test("Tweedie: x̂₀ = (x + σ²·score)/α, and every prediction agrees", arguments: allProcesses)
    func tweedie(_ process: ProcessCase) {
        var random = TestRandom(seed: 43)
        for mixture in [Self.ring, Self.skewed] {
            for trial in 0..<20 {
                // Half the times anywhere in the range, half where the SNR is moderate.
                let t =
                    trial.isMultiple(of: 2)
                    ? random.time(in: process.sde)
                    : process.sde.time(forLogSignalToNoiseRatio: random.uniform(-4.5, 4.5))
                let m = process.sde.marginal(at: t)
                let x = Self.point(mixture, m, &random)
                let e = mixture.evaluation(at: x, marginal: m)
                for j in 0..<mixture.dimension {
                    let tweedie = (x[j] + m.noiseScale * m.noiseScale * e.score[j]) / m.signalScale
                    #expect(isClose(e.denoised[j], tweedie, absolute: 1e-9 * (1 + Swift.abs(x[j]) / m.signalScale)))
                }
                // Batched, in Float32, through Core's `Prediction` conversions, where SNR ∈ [e^−4.6, e^4.6]
                // (elsewhere x = αx₀ + σε in Float32 cannot carry both parts to 1e-4).
                guard Swift.abs(m.logSignalToNoiseRatio) < 4.6 else { continue }
                let batch = Tensor(x.map(Float.init), shape: [1, mixture.dimension])
                let denoised = mixture.denoised(batch, marginal: m)
                for prediction in Prediction.allCases {
                    let exact = mixture.value(prediction, batch, marginal: m)
                    let converted = prediction.value(fromDenoised: denoised, noisy: batch, marginal: m)
                    #expect(relativeError(converted, exact) < 1e-4, "\(prediction) at \(x), t = \(m)")
                }
            }
        }
    }

    @Test("probability-flow divergence = trace of the drift's finite-difference Jacobian", arguments: allProcesses)
    func divergence(_ process: ProcessCase) {
        var random = TestRandom(seed: 47)
        for _ in 0..<10 {
            let m = process.sde.marginal(at: random.time(in: process.sde))
            let x = Self.point(Self.skewed, m, &random)
            let width = (m.signalScale * m.signalScale * 0.05 + m.noiseScale * m.noiseScale).squareRoot()
            let h = 1e-4 * width
            var trace = 0.0
            for j in 0..<3 {
                var (plus, minus) = (x, x)
                plus[j] += h
                minus[j] -= h
                trace +=
                    (Self.skewed.probabilityFlowVelocity(at: plus, marginal: m)[j]
                        - Self.skewed.probabilityFlowVelocity(at: minus, marginal: m)[j]) / (2 * h)
            }
            let exact = Self.skewed.probabilityFlowDivergence(at: x, marginal: m)
            #expect(
                isClose(exact, trace, absolute: 1e-6 * (1 + Swift.abs(m.driftCoefficient)), relative: 1e-6),
                "\(exact) vs \(trace)")
        }
    }

    @Test func posteriorIsAnExactClassifierWithItsGradient() {
        let m = VariancePreservingSDE().marginal(at: 0.3)
        var random = TestRandom(seed: 53)
        for _ in 0..<10 {
            let x = Self.point(Self.skewed, m, &random)
            let e = Self.skewed.evaluation(at: x, marginal: m)
            #expect(isClose(e.posterior.reduce(0, +), 1, absolute: 1e-12))
            for k in 0..<3 {
                let gradient = zip(e.componentScores[k], e.score).map { $0 - $1 }
                for j in 0..<3 {
                    var (plus, minus) = (x, x)
                    plus[j] += 1e-5
                    minus[j] -= 1e-5
                    let fd =
                        (Foundation.log(Self.skewed.evaluation(at: plus, marginal: m).posterior[k])
                            - Foundation.log(Self.skewed.evaluation(at: minus, marginal: m).posterior[k])) / 2e-5
                    #expect(isClose(gradient[j], fd, absolute: 1e-6, relative: 1e-6))
                }
            }
            let batch = Tensor(x.map(Float.init), shape: [1, 3])
            let tensor = Self.skewed.logPosteriorGradient(batch, classes: [2], marginal: m).scalars
            for j in 0..<3 {
                #expect(
                    isClose(Double(tensor[j]), e.componentScores[2][j] - e.score[j], absolute: 1e-5, relative: 1e-5))
            }
        }
    }

    @Test func samplesHaveTheMixturesMoments() {
        var noise = PerSampleNoise(seed: 59)
        let samples = Self.skewed.sample(count: 20_000, noise: &noise).scalars.map(Double.init)
        // Mixture mean Σ w_k μ_k and second moment Σ w_k (Σ_k + μ_k μ_kᵀ), coordinate 0.
        let mean0 = 0.5 * 1 + 0.3 * -2 + 0.2 * 0
        let second0 = 0.5 * (0.5 + 1) + 0.3 * (0.2 + 4) + 0.2 * (0.25 + 0)
        let values0 = stride(from: 0, to: samples.count, by: 3).map { samples[$0] }
        let sampleMean = values0.reduce(0, +) / 20_000
        let sampleSecond = values0.reduce(0) { $0 + $1 * $1 } / 20_000
        // Standard errors ≈ 0.011 and 0.02: allow 5 of them.
        #expect(isClose(sampleMean, mean0, absolute: 0.055))
        #expect(isClose(sampleSecond, second0, absolute: 0.1))
    }

    /// The exact model as a network: `ModelReverseProcess` with the matching parameterization
    /// denoises exactly, for every simple prediction.
    @Test("as a ScoreModel, with the matching parameterization, it denoises exactly", arguments: defaultProcesses)
    func scoreModel(_ process: ProcessCase) {
        let pairs: [(Prediction, any Parameterization)] = [
            (.epsilon, EpsilonPrediction()), (.score, ScorePrediction()), (.denoised, DenoisedPrediction()),
            (.velocity, VelocityPrediction()), (.flowVelocity, FlowVelocityPrediction()),
        ]
        let t = process.sde.time(forLogSignalToNoiseRatio: 0.5)
        let m = process.sde.marginal(at: t)
        var noise = PerSampleNoise(seed: 61)
        let x = Self.ring.sample(count: 8, marginal: m, noise: &noise)
        let exact = Self.ring.denoised(x, marginal: m)
        for (prediction, parameterization) in pairs {
            var model = Self.ring
            model.prediction = prediction
            model.sde = process.sde
            let denoised = Self.denoise(x, at: t, sde: process.sde, parameterization: parameterization, model: model)
            #expect(relativeError(denoised, exact) < 1e-5, "\(prediction)")
        }
    }

    static func denoise(
        _ x: Tensor, at t: Double, sde: some ForwardSDE, parameterization: some Parameterization, model: GaussianMixture
    ) -> Tensor {
        ModelReverseProcess(sde: sde, parameterization: parameterization, model: model).denoised(x, at: t)
    }

    /// One full-covariance component against the textbook formula with C = α²Σ + σ²I inverted
    /// by cofactors: checks the eigendecomposition behind every full covariance.
    @Test func fullCovarianceMatchesTheExplicitInverse() throws {
        let sigma: [[Double]] = [[0.5, 0.2, 0.1], [0.2, 0.3, -0.05], [0.1, -0.05, 0.4]]
        let mean = [1.0, 0, -1]
        let mixture = try GaussianMixture(weights: [1], means: [mean], covariances: [.full(sigma)])
        let m = Marginal(signalScale: 0.8, noiseScale: 0.5, signalScaleDerivative: 0, noiseScaleDerivative: 0)
        let c = (0..<3).map { i in (0..<3).map { j in 0.64 * sigma[i][j] + (i == j ? 0.25 : 0) } }
        func cofactor(_ i: Int, _ j: Int) -> Double {
            let (r, q) = ([0, 1, 2].filter { $0 != i }, [0, 1, 2].filter { $0 != j })
            let minor = c[r[0]][q[0]] * c[r[1]][q[1]] - c[r[0]][q[1]] * c[r[1]][q[0]]
            return (i + j).isMultiple(of: 2) ? minor : -minor
        }
        let determinant = (0..<3).reduce(0) { $0 + c[0][$1] * cofactor(0, $1) }
        let x = [0.3, -0.7, 0.2]
        let r = (0..<3).map { x[$0] - 0.8 * mean[$0] }
        let precisionTimesR = (0..<3).map { i in (0..<3).reduce(0) { $0 + cofactor($1, i) / determinant * r[$1] } }
        let quadratic = zip(r, precisionTimesR).reduce(0) { $0 + $1.0 * $1.1 }
        let expected = -0.5 * (3 * Foundation.log(2 * Double.pi) + Foundation.log(determinant) + quadratic)
        let e = mixture.evaluation(at: x, marginal: m)
        #expect(isClose(e.logDensity, expected, relative: 1e-12))
        for j in 0..<3 { #expect(isClose(e.score[j], -precisionTimesR[j], relative: 1e-11)) }
    }

    /// The batched Float32 methods agree with the Double point methods.
    @Test func batchedMethodsMatchThePointMethods() {
        let m = CosineSDE().marginal(at: 0.35)
        var noise = PerSampleNoise(seed: 71)
        let x = Self.skewed.sample(count: 16, marginal: m, noise: &noise)
        let (density, posterior) = (Self.skewed.logDensity(x, marginal: m), Self.skewed.posterior(x, marginal: m))
        let velocity = Self.skewed.probabilityFlowVelocity(x, marginal: m)
        let divergence = Self.skewed.probabilityFlowDivergence(x, marginal: m)
        for i in 0..<16 {
            let point = x.scalars[(3 * i)..<(3 * i + 3)].map(Double.init)
            let e = Self.skewed.evaluation(at: point, marginal: m)
            #expect(isClose(Double(density.scalars[i]), e.logDensity, relative: 1e-6))
            let exactDivergence = Self.skewed.probabilityFlowDivergence(at: point, marginal: m)
            #expect(isClose(Double(divergence.scalars[i]), exactDivergence, relative: 1e-6))
            let exactVelocity = Self.skewed.probabilityFlowVelocity(at: point, marginal: m)
            for j in 0..<3 {
                #expect(isClose(Double(velocity.scalars[3 * i + j]), exactVelocity[j], absolute: 1e-6, relative: 1e-6))
                #expect(isClose(Double(posterior.scalars[3 * i + j]), e.posterior[j], absolute: 1e-7, relative: 1e-6))
            }
        }
    }

    /// Per-sample noise conditions, as in training: each row at its own time.
    @Test func scoreModelUsesEachSamplesOwnMarginal() {
        let sde = VariancePreservingSDE()
        let times = [0.1, 0.4, 0.7, 0.95]
        let marginals = times.map { sde.marginal(at: $0) }
        var noise = PerSampleNoise(seed: 67)
        let x = Self.ring.sample(count: 4, noise: &noise)
        var model = Self.ring
        model.prediction = .velocity
        let output = model(x, NoiseCondition(times: times, marginals: marginals)).scalars
        for (i, m) in marginals.enumerated() {
            let row = x.scalars[(2 * i)..<(2 * i + 2)].map(Double.init)
            let exact = Self.ring.value(.velocity, at: row, marginal: m)
            for j in 0..<2 { #expect(isClose(Double(output[2 * i + j]), exact[j], absolute: 1e-5, relative: 1e-5)) }
        }
    }

    @Test func ringAndGridBuiltIns() {
        let ring = GaussianMixture.ring()
        #expect(ring.componentCount == 8 && ring.dimension == 2)
        #expect(
            isClose(ring.means[2][1], 5, relative: 1e-15)
                && isClose(ring.means[1][0], 5 / 2.0.squareRoot(), relative: 1e-14))
        #expect(
            ring.weights.allSatisfy { $0 == 0.125 }
                && ring.covariances.allSatisfy { $0 == .isotropic(variance: 0.4 * 0.4) })
        let grid = GaussianMixture.grid25
        #expect(grid.componentCount == 25 && grid.means.first == [-4, -4] && grid.means.last == [4, 4])
    }

    @Test func rejectsInvalidParameters() {
        #expect(throws: ConfigurationError.self) {
            try GaussianMixture(weights: [1, -1], means: [[0], [1]], standardDeviations: [1, 1])
        }
        // Eigenvalue −1, then not symmetric.
        #expect(throws: ConfigurationError.self) {
            try GaussianMixture(weights: [1], means: [[0, 0]], covariances: [.full([[1, 2], [2, 1]])])
        }
        #expect(throws: ConfigurationError.self) {
            try GaussianMixture(weights: [1], means: [[0, 0]], covariances: [.full([[1, 0.5], [0, 1]])])
        }
        #expect(throws: ConfigurationError.self) {
            try GaussianMixture(weights: [1, 1], means: [[0, 0], [1]], standardDeviations: [1, 1])
        }
    }
}
