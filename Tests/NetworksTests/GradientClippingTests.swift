import ScoreKitCore
import ScoreKitNetworks
import Testing

@Suite struct GradientClippingTests {
    static func sets(seed: UInt64) -> [[Tensor]] {
        var noise = PerSampleNoise(seed: seed)
        return (0..<3).map { _ in
            [noise.normal([40_000]).reshaped([200, 200]), noise.normal([7]), noise.normal([1, 3])]
        }
    }

    @Test func sumAndNormMatchTheDirectComputation() {
        let parts = Self.sets(seed: 4)
        let (sum, norm) = GradientClipping.sumWithGlobalNorm(parts)
        for i in 0..<3 {
            let direct = parts[0][i] + parts[1][i] + parts[2][i]
            #expect(sum[i] == direct, "tensor \(i) differs from the shard-order sum")
        }
        let reference = GradientClipping.globalNorm(sum)
        #expect(abs(norm - reference) <= 1e-12 * reference)
    }

    @Test func scaleMultipliesInPlace() {
        var gradients = Self.sets(seed: 5)[0]
        let original = gradients
        GradientClipping.scale(&gradients, by: 0.25)
        for (a, b) in zip(gradients, original) { #expect(a == b * 0.25) }
    }

    @Test func clippingKeepsTheNormAtMostTheLimit() {
        let gradients = Self.sets(seed: 6)[1]
        let (clipped, norm) = GradientClipping.clipByGlobalNorm(gradients, maxNorm: 1)
        #expect(norm > 1)
        #expect(abs(GradientClipping.globalNorm(clipped) - 1) <= 1e-5)
    }
}
