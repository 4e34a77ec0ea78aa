import ScoreKitCore
import ScoreKitNetworks
import Testing

@Suite struct ExponentialMovingAverageTests {
    @Test func warmupDecayIsScoreSDEs() {
        let ema = ExponentialMovingAverage(decay: 0.999)
        #expect(ema.decay(forUpdate: 1) == 2.0 / 11)
        #expect(ema.decay(forUpdate: 10) == 11.0 / 20)
        // (1 + n)/(10 + n) reaches 0.999 at n = 8990.
        #expect(ema.decay(forUpdate: 8989) < 0.999)
        #expect(ema.decay(forUpdate: 8990) == 0.999)
        #expect(ExponentialMovingAverage(decay: 0.9, warmup: false).decay(forUpdate: 1) == 0.9)
    }

    @Test func updatesInPlaceByHand() {
        let ema = ExponentialMovingAverage(decay: 0.5)
        var parameters = ParameterSet([("a", Tensor([1, 2])), ("b", Tensor([-4]))])
        var state = ema.initialState(for: parameters)
        #expect(state.average == parameters)
        // θ changes in place; the average must not share its storage.
        parameters.tensors[0].withUnsafeMutableBufferPointer { $0[0] = 3 }
        #expect(state.average["a"]!.scalars == [1, 2])
        parameters["b"] = Tensor([0])
        // Update 1: δ = min(0.5, 2/11) = 2/11.  a₀ = 1·2/11 + 3·9/11 = 29/11; b = −4·2/11 = −8/11.
        ema.update(&state, toward: parameters)
        #expect(state.updateCount == 1)
        #expect(Swift.abs(state.average["a"]!.scalars[0] - 29.0 / 11) < 1e-6)
        #expect(state.average["a"]!.scalars[1] == 2)
        #expect(Swift.abs(state.average["b"]!.scalar + 8.0 / 11) < 1e-6)
        // Update 2: δ = min(0.5, 3/12) = 0.25.
        ema.update(&state, toward: parameters)
        #expect(Swift.abs(state.average["a"]!.scalars[0] - (0.25 * 29 / 11 + 0.75 * 3)) < 1e-6)
        #expect(state.tensors.map(\.name) == ["ema.a", "ema.b"])
    }

    @Test func convergesToConstantParameters() {
        let ema = ExponentialMovingAverage(decay: 0.99)
        let target = ParameterSet([("w", Tensor([5]))])
        var state = ema.initialState(for: ParameterSet([("w", Tensor([0]))]))
        for _ in 0..<2000 { ema.update(&state, toward: target) }
        #expect(Swift.abs(state.average["w"]!.scalar - 5) < 1e-4)
    }

    @Test func validatesItsDecay() throws {
        #expect(throws: ConfigurationError.self) {
            try ExponentialMovingAverage.decode(from: ["decay": 1.0], path: "training.ema")
        }
        let decoded = try ExponentialMovingAverage.decode(from: ["decay": 0.9999], path: "training.ema")
        #expect(decoded.decay == 0.9999 && decoded.warmup)
    }
}
