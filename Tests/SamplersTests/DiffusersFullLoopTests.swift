import Foundation
import ScoreKitCore
import ScoreKitSDEs
import ScoreKitSamplers
import Testing

/// diffusers' own scheduler unit tests, restated: the full-loop tests of `test_scheduler_ddim`,
/// `test_scheduler_dpm_multi` and `test_scheduler_unipc` (10 steps of the dummy model
/// `sample·t/(t + 1)` from the deterministic dummy sample), each within that test's own tolerance
/// on Σ|x| (1e-2) and mean |x| (1e-3).
///
/// The DDIM and UniPC constants are the test files'; diffusers 0.42.1 reproduces them. For the
/// DPMSolverMultistep loops 0.42.1 gives other values than the test file in the index (0.2409,
/// 0.7177 and 0.0985 against 0.3301, 1.1364 and 0.2251): the constants here are 0.42.1's, the
/// library ScoreKit is compared with. Not restated: the Euler and Heun full loops, which pass the
/// input-scaled sample to `step()` (a loop no sampler runs; their parity is in the
/// scheduler-reference fixtures), UniPC's Karras loops, whose `final_sigmas_type: sigma_min` ends
/// with a zero-length step that spends an evaluation on the last corrector (a grid here strictly
/// decreases), and DDPM's 1,000-step loops, whose noise would be a 3 MB recording.
@Suite("diffusers' scheduler full-loop tests, restated")
struct DiffusersFullLoopTests {
    /// `dummy_sample_deter`: arange(768) laid out [3, 8, 8, 4] / 768, permuted to [4, 3, 8, 8].
    static let sample: Tensor = {
        var values = [Float](repeating: 0, count: 768)
        for b in 0..<4 {
            for c in 0..<3 {
                for h in 0..<8 {
                    for w in 0..<8 {
                        values[((b * 3 + c) * 8 + h) * 8 + w] = Float(((c * 8 + h) * 8 + w) * 4 + b) / 768
                    }
                }
            }
        }
        return Tensor(values, shape: [4, 3, 8, 8])
    }()

    /// `dummy_model`: sample·k/(k + 1), k the diffusers timestep of the chain step at t = (k + 1)/N.
    struct DummyModel: ScoreModel {
        let stepCount: Int
        func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
            let times = condition.time.scalars
            let factors = times.map { t -> Float in
                let k = (Double(t) * Double(stepCount) - 1).rounded()
                return Float(k / (k + 1))
            }
            let shape = [x.shape[0]] + Array(repeating: 1, count: x.rank - 1)
            return x * (factors.count == 1 ? Tensor(factors, shape: [1]) : Tensor(factors, shape: shape))
        }
    }

    struct Loop: Sendable, CustomTestStringConvertible {
        var name: String
        var sampler: any Sampler
        var grid: DiscreteTimeGrid.Configuration
        var velocity = false
        var betaStart = 1e-4
        var clipping: DenoisedClipping?
        var sum: Double?
        var mean: Double
        var testDescription: String { name }
    }

    static func grid(
        _ convention: DiscreteTimeGrid.Convention, _ spacing: DiscreteTimeGrid.Spacing, _ end: FinalStep
    )
        -> DiscreteTimeGrid.Configuration
    {
        var c = DiscreteTimeGrid.Configuration()
        (c.steps, c.convention, c.spacing, c.finalStep) = (10, convention, spacing, end)
        return c
    }

    static let loops: [Loop] = {
        var clip = DenoisedClipping()
        (clip.mode, clip.range) = (.static, 1)
        var threshold = DenoisedClipping()
        (threshold.mode, threshold.percentile, threshold.range) = (.dynamic, 0.87, 0.5)
        var dpm = DPMSolverPlusPlusSampler.Configuration()
        (dpm.order, dpm.start) = (2, .lowerOrder)
        let dpmSampler = (try? DPMSolverPlusPlusSampler(configuration: dpm)) ?? DPMSolverPlusPlusSampler()
        let ddim = grid(.ddim, .leading, .toZero)
        let multistep = grid(.multistep, .linspace, .toZero)
        let unipc = grid(.multistep, .linspace, .none)  // final_sigmas_type: sigma_min
        return [
            Loop(
                name: "ddim no noise", sampler: DDIMSampler(), grid: ddim, clipping: clip, sum: 172.0067, mean: 0.223967
            ),
            Loop(
                name: "ddim v_prediction", sampler: DDIMSampler(), grid: ddim, velocity: true, clipping: clip,
                sum: 52.5302, mean: 0.0684),
            Loop(
                name: "ddim set_alpha_to_one", sampler: DDIMSampler(), grid: ddim, betaStart: 0.01, clipping: clip,
                sum: 149.8295, mean: 0.1951),
            Loop(
                name: "ddim no set_alpha_to_one", sampler: DDIMSampler(), grid: grid(.ddim, .leading, .none),
                betaStart: 0.01, clipping: clip, sum: 149.0784, mean: 0.1941),
            Loop(name: "dpm_multi no noise", sampler: dpmSampler, grid: multistep, mean: 0.2409),
            Loop(
                name: "dpm_multi thresholding", sampler: dpmSampler, grid: multistep, clipping: threshold, mean: 0.7177),
            Loop(name: "dpm_multi v_prediction", sampler: dpmSampler, grid: multistep, velocity: true, mean: 0.0985),
            Loop(name: "unipc no noise", sampler: UniPCSampler(), grid: unipc, mean: 0.2464),
            Loop(name: "unipc v_prediction", sampler: UniPCSampler(), grid: unipc, velocity: true, mean: 0.1014),
        ]
    }()

    @Test(arguments: loops)
    func fullLoop(_ loop: Loop) throws {
        var chain = DiscreteDDPMSDE.Configuration()
        chain.betaStart = loop.betaStart
        let sde = try DiscreteDDPMSDE(configuration: chain)
        let times = try DiscreteTimeGrid(configuration: loop.grid).times(for: sde)
        let x = try run(loop, sde: sde, times: times)
        let magnitudes = x.scalars.map { Double(Swift.abs($0)) }
        let sum = magnitudes.reduce(0, +)
        if let expected = loop.sum { #expect(Swift.abs(sum - expected) < 1e-2, "\(loop.name): Σ|x| = \(sum)") }
        let mean = sum / Double(magnitudes.count)
        #expect(Swift.abs(mean - loop.mean) < 1e-3, "\(loop.name): mean |x| = \(mean)")
    }

    private func run(_ loop: Loop, sde: DiscreteDDPMSDE, times: [Double]) throws -> Tensor {
        let model = DummyModel(stepCount: sde.stepCount)
        var noise = PerSampleNoise(seed: 0)
        func go(_ process: some ReverseProcess) throws -> Tensor {
            guard let clipping = loop.clipping else {
                return try runSampler(loop.sampler, process: process, times: times, initial: Self.sample, noise: &noise)
                    .samples
            }
            return try runSampler(
                loop.sampler, process: ClippedProcess(base: process, clipping: clipping), times: times,
                initial: Self.sample, noise: &noise
            ).samples
        }
        if loop.velocity {
            return try go(ModelReverseProcess(sde: sde, parameterization: VelocityPrediction(), model: model))
        }
        return try go(ModelReverseProcess(sde: sde, parameterization: EpsilonPrediction(), model: model))
    }
}
