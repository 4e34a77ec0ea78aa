import Foundation
import ScoreKitCore
import ScoreKitSDEs
import ScoreKitTesting
import Testing

/// The laws every registered forward process satisfies (`checkSDE`), with the Monte Carlo check.
@Suite("ForwardSDE conformance")
struct ForwardSDETests {
    @Test("closed forms: derivatives, g² vs the variance ODE, log-SNR inverse, prior", arguments: allProcesses)
    func conformance(_ process: ProcessCase) {
        let report = checkSDE(process.sde)
        print("[\(process.name)] \(report)")
        #expect(report.passed, "\(report)")
        // Measured: worst relative errors over 33 interior times.
        #expect(report.measurements["g² vs variance ODE relative error", default: 1] < 1e-5, "\(report)")
        #expect(report.measurements["inverse log-SNR error / range", default: 1] < 1e-9, "\(report)")
    }

    /// Euler–Maruyama with 100k samples from the exact marginal at log-SNR +2 to log-SNR −2,
    /// with at least 250 steps and as many more as it takes for EM's own bias to be below half a
    /// standard error: the sample mean and variance are within 5 standard errors of α·x₀ and σ².
    @Test("Euler–Maruyama reproduces the marginal moments", .tags(.slow), arguments: defaultProcesses)
    func monteCarloMoments(_ process: ProcessCase) {
        var options = SDECheckOptions()
        options.timeCount = 3
        options.monteCarloSampleCount = 100_000
        options.seed = 20_240_601
        let report = checkSDE(process.sde, options: options)
        print("[\(process.name)] \(report)")
        #expect(report.passed, "\(report)")
        let bias = report.measurements["euler-maruyama variance bias (standard errors)", default: .infinity]
        #expect(Swift.abs(bias) <= 0.5, "EM bias too large for the test to be meaningful: \(report)")
    }

    @Test("transition is the marginal's Gaussian step and composes", arguments: allProcesses)
    func transitionComposes(_ process: ProcessCase) {
        let sde = process.sde
        var random = TestRandom(seed: 11)
        for _ in 0..<20 {
            let times = [random.time(in: sde), random.time(in: sde), random.time(in: sde)].sorted()
            let (a01, b01) = sde.transition(from: times[0], to: times[1])
            let (a12, b12) = sde.transition(from: times[1], to: times[2])
            let (a02, b02) = sde.transition(from: times[0], to: times[2])
            #expect(isClose(a02, a01 * a12, relative: 1e-12))
            #expect(isClose(b02 * b02, a12 * a12 * b01 * b01 + b12 * b12, absolute: 1e-12, relative: 1e-9))
            let m0 = sde.marginal(at: times[0])
            let m2 = sde.marginal(at: times[2])
            #expect(
                isClose(
                    m2.noiseScale * m2.noiseScale, a02 * a02 * m0.noiseScale * m0.noiseScale + b02 * b02,
                    relative: 1e-12))
        }
    }

    @Test("posterior q(x_s | x_t, x₀) has the moments of the joint Gaussian", arguments: allProcesses)
    func posteriorMoments(_ process: ProcessCase) {
        let sde = process.sde
        var random = TestRandom(seed: 12)
        for _ in 0..<20 {
            let (s, t) = { (a: Double, b: Double) in (Swift.min(a, b), Swift.max(a, b)) }(
                random.time(in: sde), random.time(in: sde))
            let (ms, mt) = (sde.marginal(at: s), sde.marginal(at: t))
            let (a, _) = sde.transition(from: s, to: t)
            let p = sde.posterior(at: s, given: t)
            // Conditioning the joint N of (x_s, x_t) given x₀: mean α_s x₀ + K(x_t − α_t x₀), K = a σ_s²/σ_t².
            #expect(
                isClose(
                    p.noisyScale, a * ms.noiseScale * ms.noiseScale / (mt.noiseScale * mt.noiseScale), relative: 1e-12))
            #expect(
                isClose(p.dataScale, ms.signalScale - p.noisyScale * mt.signalScale, absolute: 1e-12, relative: 1e-7))
            let variance = ms.noiseScale * ms.noiseScale - p.noisyScale * a * ms.noiseScale * ms.noiseScale
            #expect(isClose(p.standardDeviation * p.standardDeviation, variance, absolute: 1e-12, relative: 1e-7))
        }
    }

    @Test("prior sampling has the prior's standard deviation", arguments: defaultProcesses)
    func priorSampling(_ process: ProcessCase) {
        var noise = PerSampleNoise(seed: 5)
        let x = process.sde.samplePrior([4000, 2], noise: &noise)
        let values = x.scalars.map(Double.init)
        let variance = values.reduce(0) { $0 + $1 * $1 } / Double(values.count)
        let s = process.sde.priorStandardDeviation
        // 8000 values: the variance's standard error is s²·√(2/8000) ≈ 1.6 %; allow 5 of them.
        #expect(isClose(variance, s * s, relative: 0.08))
    }
}
