import Foundation
import ScoreKitCore
import ScoreKitSDEs
import ScoreKitSamplers
import Testing

@Suite("ReplacementSampler")
struct ReplacementSamplerTests {
    static let sde = VariancePreservingSDE()
    static let times = grid(["kind": "uniform", "steps": 40, "endTime": 1e-3], for: sde)
    /// y of sample i: (i/4 − 2, 7).
    static let knownValues: [Float] = (0..<16).flatMap { i -> [Float] in [Float(i) * 0.25 - 2, 7] }

    /// 16 samples of the ring through `sampler` inside a `ReplacementSampler` with `mask`.
    static func run<S: Sampler>(_ sampler: S, mask: Tensor?, seed: UInt64 = 3) throws -> Tensor {
        let count = 16
        let known = Tensor(knownValues, shape: [count, 2])
        var noise = PerSampleNoise(seed: seed)
        let start = noise.normal([count, 2])
        guard let mask else {
            return try runSampler(sampler, process: modelProcess(sde), times: times, initial: start, noise: &noise)
                .samples
        }
        let observation = SampleObservation(known: known, mask: mask, noise: PerSampleNoise(seed: 99))
        return try runSampler(
            ReplacementSampler(base: sampler, observation: observation), process: modelProcess(sde), times: times,
            initial: start, noise: &noise
        ).samples
    }

    @Test("the known coordinates end at y exactly, the others follow the sampler", arguments: [false, true])
    func knownExactly(stochastic: Bool) throws {
        let samples =
            stochastic
            ? try Self.run(EulerMaruyamaSampler(), mask: Tensor([1, 0], shape: [1, 2]))
            : try Self.run(HeunSampler(), mask: Tensor([1, 0], shape: [1, 2]))
        let values = samples.scalars
        for i in 0..<16 {
            #expect(values[2 * i] == Float(i) * 0.25 - 2)
            // x₂ is sampled, not set to y's 7.
            #expect(values[2 * i + 1].isFinite && abs(values[2 * i + 1]) < 6.5, "sample \(i): \(values[2 * i + 1])")
        }
    }

    @Test("a mask of zeros leaves the run as it is, bit for bit; a mask of ones gives y")
    func trivialMasks() throws {
        let sampler = EulerMaruyamaSampler()
        let free = try Self.run(sampler, mask: nil)
        #expect(try Self.run(sampler, mask: Tensor.zeros([1, 2])).scalars == free.scalars)
        let all = try Self.run(sampler, mask: Tensor.ones([16, 2])).scalars
        #expect(all == Self.knownValues)
    }

    @Test("the evaluation count is the base sampler's; the order is nil (fresh draws each step)")
    func counts() {
        let observation = SampleObservation(
            known: Tensor.zeros([1, 2]), mask: Tensor([1, 0], shape: [1, 2]), noise: PerSampleNoise(seed: 0))
        let wrapped = ReplacementSampler(base: HeunSampler(), observation: observation)
        #expect(wrapped.evaluationCount(forTimes: Self.times) == HeunSampler().evaluationCount(forTimes: Self.times))
        #expect(wrapped.order == nil)
    }
}

@Suite("ReconstructionGuidance")
struct ReconstructionGuidanceTests {
    @Test("x̃₀ = x̂₀ + w·α·(1 − m)·Jᵀ(m·(y − x̂₀)), J by central differences (relative 2e-3)")
    func matchesFiniteDifferences() throws {
        let sde = VariancePreservingSDE()
        let base = ModelReverseProcess(
            sde: sde, parameterization: DenoisedPrediction(), model: DifferentiableRingModel())
        let x = Tensor([1.5, -0.5, -2.0, 3.0, 0.3, 0.2], shape: [3, 2])
        let known = Tensor([2.0, 0, -3.5, 0, 1.0, 0], shape: [3, 2])
        let mask = Tensor([1, 0], shape: [1, 2])
        let weight = 1.7
        let time = 0.4
        let guided = ReconstructionGuidance(base: base, known: known, mask: mask, weight: weight)
            .denoised(x, at: time).scalars
        let plain = base.denoised(x, at: time).scalars
        let alpha = sde.marginal(at: time).signalScale
        let h: Float = 1e-2
        for i in 0..<3 {
            // Only x₂ (column 1) moves; d/dx₂ of x̂₀'s column 0 by central differences.
            var up = x.scalars
            var down = x.scalars
            up[2 * i + 1] += h
            down[2 * i + 1] -= h
            let dUp = base.denoised(Tensor(up, shape: [3, 2]), at: time).scalars[2 * i]
            let dDown = base.denoised(Tensor(down, shape: [3, 2]), at: time).scalars[2 * i]
            let jacobian = Double(dUp - dDown) / Double(2 * h)
            let expected =
                Double(plain[2 * i + 1]) + weight * alpha * jacobian * Double(known.scalars[2 * i] - plain[2 * i])
            #expect(guided[2 * i] == plain[2 * i])
            #expect(
                abs(Double(guided[2 * i + 1]) - expected) <= 2e-3 * max(1, abs(expected)),
                "sample \(i): \(guided[2 * i + 1]) against \(expected)")
        }
        #expect(guided != plain)
    }

    @Test("Tweedie covariance: x̃₀ = x̂₀ + w·(1 − m)·Jᵀ(m·(y − x̂₀)/v), v = (Jᵀm) on the known part (relative 2e-3)")
    func tweedieMatchesFiniteDifferences() throws {
        let sde = VariancePreservingSDE()
        let base = ModelReverseProcess(
            sde: sde, parameterization: DenoisedPrediction(), model: DifferentiableRingModel())
        let x = Tensor([1.5, -0.5, -2.0, 3.0, 0.3, 0.2], shape: [3, 2])
        let known = Tensor([2.0, 0, -3.5, 0, 1.0, 0], shape: [3, 2])
        let mask = Tensor([1, 0], shape: [1, 2])
        let weight = 0.8
        let time = 0.4
        let guided = ReconstructionGuidance(base: base, known: known, mask: mask, weight: weight, covariance: .tweedie)
            .denoised(x, at: time).scalars
        let plain = base.denoised(x, at: time).scalars
        let alpha = sde.marginal(at: time).signalScale
        let h: Float = 1e-2
        func derivative(sample i: Int, along column: Int) -> Double {
            var up = x.scalars
            var down = x.scalars
            up[2 * i + column] += h
            down[2 * i + column] -= h
            let dUp = base.denoised(Tensor(up, shape: [3, 2]), at: time).scalars[2 * i]
            let dDown = base.denoised(Tensor(down, shape: [3, 2]), at: time).scalars[2 * i]
            return Double(dUp - dDown) / Double(2 * h)
        }
        for i in 0..<3 {
            // v = ∂x̂₀₁/∂x₁ (floored at 10⁻³/α); only x₂ moves, by ∂x̂₀₁/∂x₂·(y₁ − x̂₀₁)/v.
            let spread = max(derivative(sample: i, along: 0), 1e-3 / alpha)
            let expected =
                Double(plain[2 * i + 1]) + weight * derivative(sample: i, along: 1)
                * Double(known.scalars[2 * i] - plain[2 * i]) / spread
            #expect(guided[2 * i] == plain[2 * i])
            #expect(
                abs(Double(guided[2 * i + 1]) - expected) <= 2e-3 * max(1, abs(expected)),
                "sample \(i): \(guided[2 * i + 1]) against \(expected)")
        }
        #expect(guided != plain)
    }

    @Test("rows at different times get the values of their own time")
    func perRowTimes() {
        let sde = VariancePreservingSDE()
        let base = ModelReverseProcess(
            sde: sde, parameterization: DenoisedPrediction(), model: DifferentiableRingModel())
        let x = Tensor([1.5, -0.5, -2.0, 3.0, 0.3, 0.2], shape: [3, 2])
        let known = Tensor([2.0, 0, -3.5, 0, 1.0, 0], shape: [3, 2])
        let guidance = ReconstructionGuidance(
            base: base, known: known, mask: Tensor([1, 0], shape: [1, 2]), weight: 1)
        let mixed = guidance.denoised(x, at: [0.2, 0.6, 0.2]).scalars
        let early = guidance.denoised(x, at: 0.2).scalars
        let late = guidance.denoised(x, at: 0.6).scalars
        #expect(Array(mixed[0..<2]) == Array(early[0..<2]) && Array(mixed[4..<6]) == Array(early[4..<6]))
        #expect(Array(mixed[2..<4]) == Array(late[2..<4]))
    }
}
