import ScoreKitCore
import ScoreKitNetworks
import Testing

@Suite struct InitializationTests {
    static let layer = Linear(name: "l", inputCount: 200, outputCount: 100)

    static func draw(_ initialization: Initialization, seed: UInt64 = 9) -> [(String, Tensor)] {
        var stream = RandomStream(seed: seed, stream: 0)
        return layer.initialParameters(stream: &stream, initialization: initialization)
    }

    @Test func pytorchDefaultIsTheSeedsDraw() {
        var stream = RandomStream(seed: 9, stream: 0)
        let old = Self.layer.initialParameters(stream: &stream, zeroInitialized: false)
        let new = Self.draw(.pytorchDefault)
        #expect(old.map(\.0) == new.map(\.0))
        #expect(old.map(\.1) == new.map(\.1))
    }

    @Test func xavierUniformHasGlorotsBoundAndVariance() {
        let p = Self.draw(.xavierUniform)
        let w = p[0].1.scalars
        let bound = Float((6.0 / 300).squareRoot())
        #expect(w.allSatisfy { Swift.abs($0) <= bound })
        // Var = bound²/3 = 2/300 within 3 % (20,000 draws: standard error 1.1 %).
        let variance = w.map { Double($0 * $0) }.reduce(0, +) / Double(w.count)
        #expect(Swift.abs(variance / (2.0 / 300) - 1) < 0.03, "\(variance)")
        #expect(p[1].1.scalars.allSatisfy { $0 == 0 })
    }

    @Test func xavierNormalHasGlorotsVariance() {
        let p = Self.draw(.xavierNormal)
        let w = p[0].1.scalars
        let mean = w.map(Double.init).reduce(0, +) / Double(w.count)
        let variance = w.map { Double($0 * $0) }.reduce(0, +) / Double(w.count)
        #expect(Swift.abs(mean) < 0.003)  // 4 standard errors (σ/√n = 0.0008)
        #expect(Swift.abs(variance / (2.0 / 300) - 1) < 0.04, "\(variance)")
        #expect(p[1].1.scalars.allSatisfy { $0 == 0 })
    }

    @Test func zeroIsZero() {
        for (_, tensor) in Self.draw(.zero) { #expect(tensor.scalars.allSatisfy { $0 == 0 }) }
    }
}
