import Foundation
import ScoreKitCore
import ScoreKitMetrics
import ScoreKitNetworks
import Testing

@Suite("SampleQuality")
struct SampleQualityTests {
    @Test("Independent draws of one distribution have energy distance ≈ 0; a shift is seen")
    func energyDistance() {
        var a = PerSampleNoise(seed: 21)
        var b = PerSampleNoise(seed: 22)
        let x = ring.sample(count: 4000, noise: &a)
        let y = ring.sample(count: 4000, noise: &b)
        let same = SampleQuality.energyDistance(x, y)
        #expect(Swift.abs(same) <= 1e-3, "\(same)")
        let shifted = SampleQuality.energyDistance(x, y + 0.3)
        #expect(shifted > 0.01, "\(shifted)")
    }

    @Test("Energy distance of two point sets by hand")
    func byHand() {
        // x = {0, 1}, y = {3, 5} on a line: cross mean 3.5, within x 1, within y 2 → 2·3.5 − 1 − 2 = 4.
        let x = Tensor([0, 0, 1, 0], shape: [2, 2])
        let y = Tensor([3, 0, 5, 0], shape: [2, 2])
        #expect(Swift.abs(SampleQuality.energyDistance(x, y) - 4) <= 1e-9)
    }

    @Test("Shares, off-manifold fraction and the mean with its standard error")
    func sharesAndFractions() {
        let samples = Tensor([5, 0, 4.9, 0.1, 0, 5, -20, 1], shape: [4, 2])
        let means = [[5.0, 0], [0, 5], [-5, 0]]
        #expect(SampleQuality.componentShares(samples, means: means) == [0.5, 0.25, 0.25])
        #expect(SampleQuality.offManifoldFraction(samples, means: means, radius: 1) == 0.25)
        let (mean, error) = SampleQuality.meanAndStandardError(Tensor([1, 2, 3, 4]))
        #expect(mean == 2.5 && Swift.abs(error - (5.0 / 3 / 4).squareRoot()) <= 1e-12)
    }
}
