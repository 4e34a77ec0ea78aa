import Foundation
import ScoreKitCore
import ScoreKitMetrics
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers
import Testing

@Suite("ClassifierGuidance")
struct ClassifierGuidanceTests {
    @Test("Scale 1 with the exact posterior samples the chosen component", .tags(.slow))
    func samplesTheChosenComponent() throws {
        let sde = VariancePreservingSDE()
        let times = grid(["kind": "uniform", "steps": 500], for: sde)
        let count = 4000
        let classes = (0..<count).map { $0 % 8 == 0 ? 3 : $0 % 8 }  // component 3 twice as often, all others too
        let guided = ClassifierGuidance(
            base: modelProcess(sde), classifier: ExactMixtureClassifier(mixture: ring), classes: classes, scale: 1)
        let result = try drawSamples(EulerMaruyamaSampler(), process: guided, times: times, count: count, seed: 13)
        let nearest = SampleQuality.nearestComponents(result.samples, means: ring.means)
        let accuracy = Double(zip(nearest, classes).filter { $0 == $1 }.count) / Double(count)
        print("classifier guidance, scale 1, exact posterior: \(accuracy) of samples nearest their class")
        #expect(accuracy >= 0.99)
    }

    @Test("Guided x̂₀ at scale 1 is component k's exact x̂₀")
    func exactConditionalScore() {
        let sde = VariancePreservingSDE()
        var noise = PerSampleNoise(seed: 4)
        let x = noise.normal([64, 2]) * 3
        for k in [0, 5] {
            let guided = ClassifierGuidance(
                base: ExactMixtureProcess(sde: sde), classifier: ExactMixtureClassifier(mixture: ring),
                classes: Array(repeating: k, count: 64), scale: 1)
            for t in [0.05, 0.3, 0.9] {
                let exact = component(k).denoised(x, marginal: sde.marginal(at: t))
                let difference = (guided.denoised(x, at: t) - exact).scalars.map { Swift.abs($0) }.max() ?? 0
                #expect(difference <= 2e-4, "k = \(k), t = \(t): \(difference)")
            }
        }
    }

    @Test("Scale 0 is the base process")
    func scaleZero() {
        let sde = VariancePreservingSDE()
        let base = ExactMixtureProcess(sde: sde)
        let guided = ClassifierGuidance(
            base: base, classifier: ExactMixtureClassifier(mixture: ring), classes: [1, 2], scale: 0)
        let x = Tensor([1, 2, 3, 4], shape: [2, 2])
        #expect(guided.denoised(x, at: 0.4) == base.denoised(x, at: 0.4))
    }
}
