import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

/// NCSN's setting on the ring: L = 10 geometric levels from σ_1 = 10 (about the largest distance
/// between modes, Song & Ermon 2020) to σ_L = 0.01, on a VE process whose σ(t) reaches them at
/// t > 0; the grid's last time is either 0 (final denoising) or unused.
struct NCSNSetting {
    let sde: VarianceExplodingSDE
    let levels: [Double]

    init(largest: Double = 10, smallest: Double = 0.01, levelCount: Int = 10) {
        var configuration = VarianceExplodingSDE.Configuration()
        configuration.sigmaMin = smallest / 2
        configuration.sigmaMax = largest
        configuration.minimumTime = 0
        do { sde = try VarianceExplodingSDE(configuration: configuration) } catch { preconditionFailure("\(error)") }
        let ratio = Foundation.log(largest / configuration.sigmaMin)
        levels = (0..<levelCount).map { i in
            let sigma = largest * Foundation.pow(smallest / largest, Double(i) / Double(levelCount - 1))
            return Foundation.log(sigma / configuration.sigmaMin) / ratio
        }
    }

    func times(denoising: Bool) -> [Double] { levels + [denoising ? 0 : levels.last! / 2] }
}

@Suite("AnnealedLangevinSampler")
struct AnnealedLangevinSamplerTests {
    static let setting = NCSNSetting()

    @Test(
        "NCSN's annealed Langevin (ε = 2e-5, K = 100) reproduces the ring's modes", .tags(.slow),
        arguments: [(AnnealedLangevinSampler.Initialization.prior, false), (.uniform, true)])
    func reproducesTheModes(initialization: AnnealedLangevinSampler.Initialization, denoising: Bool) throws {
        var configuration = AnnealedLangevinSampler.Configuration()
        configuration.initialization = initialization
        let sampler = try AnnealedLangevinSampler(configuration: configuration)
        let setting = Self.setting
        let result = try drawSamples(
            sampler, process: modelProcess(setting.sde), times: setting.times(denoising: denoising), count: 5000,
            seed: 9)
        let report = SampleQualityReport(result.samples)
        print("annealed-langevin NCSN ring, start \(initialization), denoising \(denoising): \(report)")
        #expect(report.largestShareError <= 0.02, "\(report)")
        #expect(report.offManifoldFraction <= 0.01, "\(report)")
        #expect(result.evaluationCount == (denoising ? 1001 : 1000))
    }

    @Test("With ε = 5e-4 Langevin diverges even with the exact score: a typed error, never NaN")
    func divergesLoudly() throws {
        var configuration = AnnealedLangevinSampler.Configuration()
        configuration.stepSize = 5e-4
        let sampler = try AnnealedLangevinSampler(configuration: configuration)
        let setting = Self.setting
        do {
            let result = try drawSamples(
                sampler, process: modelProcess(setting.sde), times: setting.times(denoising: true), count: 100, seed: 10
            )
            Issue.record("expected divergence, got finite samples: \(result.samples.isFinite)")
        } catch let error as SamplingError {
            guard case .nonFinite(let name, let step, let count, _) = error else {
                Issue.record("expected nonFinite, got \(error)")
                return
            }
            print("annealed-langevin ε = 5e-4: \(error)")
            #expect(name == "AnnealedLangevinSampler" && step == 0 && count == 10)
        }
    }

    @Test("The step size at level i is ε·(σ_i/σ_L)²")
    func stepRule() throws {
        var configuration = AnnealedLangevinSampler.Configuration()
        configuration.steps = 1
        configuration.stepSize = 1e-5
        let sampler = try AnnealedLangevinSampler(configuration: configuration)
        let setting = Self.setting
        let times = setting.times(denoising: false)
        let process = modelProcess(setting.sde)
        let x = Tensor([1, 2, -3, 0.5], shape: [2, 2])
        var noise = PerSampleNoise(seed: 3)
        var replay = noise
        var state = sampler.initialState(for: SamplingProblem(shape: [2, 2], times: times))
        let step = TimeStep(start: times[2], end: times[3], index: 2, count: times.count - 1)
        let result = try sampler.step(x, over: step, state: &state, process: process, noise: &noise)
        let sigma = setting.sde.marginal(at: times[2]).noiseScale
        let smallest = setting.sde.marginal(at: times[times.count - 2]).noiseScale
        let a = 1e-5 * (sigma / smallest) * (sigma / smallest)
        let expected =
            x + process.score(x, at: times[2]) * Float(a) + replay.normal([2, 2]) * Float((2 * a).squareRoot())
        #expect(
            zip(result.scalars, expected.scalars).allSatisfy {
                Swift.abs($0 - $1) <= 1e-5 * Swift.max(1, Swift.abs($1))
            })
    }
}
