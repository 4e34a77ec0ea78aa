import ScoreKitCore
import ScoreKitNetworks
import Testing

@Suite struct StochasticGradientDescentTests {
    static let gradients: [[Double]] = [[0.5, -1], [0.25, 2], [-1, 0.5]]

    /// Three steps of `optimizer` from θ = (1, −2) with learning rate 0.1.
    static func run(_ optimizer: StochasticGradientDescent) -> [Float] {
        var parameters = ParameterSet([("w", Tensor([1, -2]))])
        var state = optimizer.initialState(for: parameters)
        for g in gradients {
            optimizer.update(&parameters, gradients: [Tensor(g.map(Float.init))], state: &state, learningRate: 0.1)
        }
        #expect(state.stepCount == 3)
        return parameters["w"]!.scalars
    }

    /// torch.optim.SGD's rule written out in Double.
    static func byHand(momentum mu: Double, nesterov: Bool, weightDecay lambda: Double) -> [Double] {
        var theta = [1.0, -2.0]
        var buffer = [0.0, 0.0]
        for g in gradients {
            for i in 0..<2 {
                let gi = g[i] + lambda * theta[i]
                buffer[i] = mu * buffer[i] + gi
                let step = mu == 0 ? gi : (nesterov ? gi + mu * buffer[i] : buffer[i])
                theta[i] -= 0.1 * step
            }
        }
        return theta
    }

    @Test(arguments: [(0.0, false, 0.0), (0.9, false, 0.0), (0.9, true, 0.0), (0.5, true, 0.01), (0.0, false, 0.1)])
    func matchesTheRuleByHand(_ settings: (Double, Bool, Double)) {
        let (mu, nesterov, lambda) = settings
        let got = Self.run(StochasticGradientDescent(momentum: mu, nesterov: nesterov, weightDecay: lambda))
        let expected = Self.byHand(momentum: mu, nesterov: nesterov, weightDecay: lambda)
        for i in 0..<2 { #expect(Swift.abs(Double(got[i]) - expected[i]) < 1e-6, "\(got) vs \(expected)") }
    }

    @Test func plainAndMomentumStepsAreTheTextbooksNumbers() {
        // Plain: θ = 1 − 0.1·(0.5 + 0.25 − 1) = 1.025.  Heavy ball μ = 0.9: b = 0.5, 0.7, −0.37;
        // θ = 1 − 0.1·(0.5 + 0.7 − 0.37) = 0.917.  Nesterov: steps g + μb = 0.95, 0.88, −1.333 → 0.9503.
        #expect(Swift.abs(Self.run(StochasticGradientDescent())[0] - 1.025) < 1e-6)
        #expect(Swift.abs(Self.run(StochasticGradientDescent(momentum: 0.9))[0] - 0.917) < 1e-6)
        #expect(Swift.abs(Self.run(StochasticGradientDescent(momentum: 0.9, nesterov: true))[0] - 0.9503) < 1e-6)
    }

    @Test func isRegisteredAndValidated() throws {
        var registry = ComponentRegistry()
        registry.registerNetworks()
        #expect(registry.ids(of: .optimizer).contains("sgd"))
        _ = try registry.make(.optimizer, from: ["kind": "sgd", "momentum": 0.9, "nesterov": true])
        #expect(throws: ConfigurationError.self) {
            try registry.make(.optimizer, from: ["kind": "sgd", "nesterov": true])
        }
        #expect(throws: ConfigurationError.self) {
            try registry.make(.optimizer, from: ["kind": "sgd", "momentum": 1.0])
        }
        let state = StochasticGradientDescent(momentum: 0.5).initialState(
            for: ParameterSet([("l1.weight", Tensor([1]))]))
        #expect(state.tensors.map(\.name) == ["sgd.momentum.l1.weight"])
    }
}

@Suite struct AdamWTests {
    @Test func isAdamWithDecoupledDecay() {
        let adamW = AdamW(beta1: 0.9, beta2: 0.99, weightDecay: 0.05)
        let adam = Adam(beta1: 0.9, beta2: 0.99, weightDecay: 0.05)
        var a = ParameterSet([("w", Tensor([1, -2, 3]))])
        var b = a
        var sa = adamW.initialState(for: a)
        var sb = adam.initialState(for: b)
        for g in [[0.1, 0.2, -0.3], [0.5, -0.5, 0.0]] {
            let t = Tensor(g.map(Float.init))
            adamW.update(&a, gradients: [t], state: &sa, learningRate: 0.01)
            adam.update(&b, gradients: [t], state: &sb, learningRate: 0.01)
        }
        #expect(a == b)
    }

    @Test func registeredWithPyTorchsDefaultDecay() throws {
        var registry = ComponentRegistry()
        registry.registerNetworks()
        #expect(registry.ids(of: .optimizer).contains("adamw"))
        #expect(AdamW.Configuration().weightDecay == 0.01)
        #expect(throws: ConfigurationError.self) {
            try registry.make(.optimizer, from: ["kind": "adamw", "beta2": 1.0])
        }
        // A zero gradient leaves only θ ← θ(1 − ηλ).
        let optimizer = AdamW()
        var p = ParameterSet([("w", Tensor([2]))])
        var state = optimizer.initialState(for: p)
        optimizer.update(&p, gradients: [Tensor([0])], state: &state, learningRate: 0.5)
        #expect(Swift.abs(p["w"]!.scalar - 2 * (1 - 0.005)) < 1e-6)
    }
}
