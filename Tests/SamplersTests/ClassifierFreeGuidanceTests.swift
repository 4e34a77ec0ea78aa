import Foundation
import ScoreKitCore
import ScoreKitMetrics
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers
import Testing

@Suite("ClassifierFreeGuidance")
struct ClassifierFreeGuidanceTests {
    static let sde = VariancePreservingSDE()

    static func conditional(
        _ labels: [Int]
    ) -> ModelReverseProcess<VariancePreservingSDE, DenoisedPrediction, LabelledMixtureModel> {
        ModelReverseProcess(
            sde: sde, parameterization: DenoisedPrediction(), model: LabelledMixtureModel(), labels: labels)
    }

    @Test("w = 1 equals the conditional model, sample for sample, bit for bit")
    func scaleOneIsConditional() throws {
        let times = grid(["kind": "uniform", "steps": 200], for: Self.sde)
        let labels = (0..<500).map { $0 % 8 }
        let guided = ClassifierFreeGuidance(conditional: Self.conditional(labels), scale: 1)
        let a = try drawSamples(AncestralSampler(), process: guided, times: times, count: 500, seed: 14)
        let b = try drawSamples(
            AncestralSampler(), process: Self.conditional(labels), times: times, count: 500, seed: 14)
        #expect(a.samples == b.samples)
        #expect(a.evaluationCount == b.evaluationCount)
        let nearest = SampleQuality.nearestComponents(a.samples, means: ring.means)
        let accuracy = Double(zip(nearest, labels).filter { $0 == $1 }.count) / 500
        print("classifier-free guidance, w = 1: \(accuracy) of samples nearest their class")
        #expect(accuracy >= 0.99)
    }

    @Test("w = 0 is the unconditional model; w = 3 extrapolates x̂₀")
    func otherScales() {
        var noise = PerSampleNoise(seed: 5)
        let x = noise.normal([16, 2]) * 2
        let labels = (0..<16).map { $0 % 8 }
        let t = 0.5
        let conditional = Self.conditional(labels).denoised(x, at: t)
        let unconditional = ExactMixtureProcess(sde: Self.sde).denoised(x, at: t)
        let atZero = ClassifierFreeGuidance(conditional: Self.conditional(labels), scale: 0).denoised(x, at: t)
        let atThree = ClassifierFreeGuidance(conditional: Self.conditional(labels), scale: 3).denoised(x, at: t)
        let expected = unconditional + (conditional - unconditional) * 3
        #expect(zip(atZero.scalars, unconditional.scalars).allSatisfy { Swift.abs($0 - $1) <= 1e-5 })
        #expect(zip(atThree.scalars, expected.scalars).allSatisfy { Swift.abs($0 - $1) <= 1e-4 })
    }
}
