import Foundation
import ScoreKitCore
import ScoreKitSDEs
import ScoreKitTesting
import Testing

@testable import ScoreKitSamplers

/// One UniPC configuration, as a test argument.
struct UniPCCase: Sendable, CustomTestStringConvertible {
    var order = 2
    var variant = UniPCSampler.Variant.bh2
    var prediction = UniPCSampler.Target.data
    var lowerOrderFinal = true
    var corrector = true

    var sampler: UniPCSampler {
        var c = UniPCSampler.Configuration()
        c.order = order
        c.variant = variant
        c.prediction = prediction
        c.finalSteps = lowerOrderFinal ? .lowerOrder : .fullOrder
        c.corrector = corrector ? .uniC : .none
        return (try? UniPCSampler(configuration: c)) ?? UniPCSampler()
    }

    var testDescription: String {
        "\(corrector ? "UniPC" : "UniP")-\(order) \(variant.rawValue) \(prediction.rawValue)"
            + (lowerOrderFinal ? "" : ", no lowerOrderFinal")
    }

    /// Every order, variant, prediction and corrector setting, with `lowerOrderFinal` on.
    static let all: [UniPCCase] = (1...3).flatMap { order in
        UniPCSampler.Variant.allCases.flatMap { variant in
            UniPCSampler.Target.allCases.flatMap { prediction in
                [true, false].map {
                    UniPCCase(order: order, variant: variant, prediction: prediction, corrector: $0)
                }
            }
        }
    }
}

@Suite("UniPCSampler")
struct UniPCSamplerTests {
    @Test func rejectsOrdersOutsideOneToThree() {
        for order in [0, 4] {
            var c = UniPCSampler.Configuration()
            c.order = order
            #expect(throws: ConfigurationError.outOfRange(key: "order", value: "\(order)", expected: "1, 2 or 3")) {
                try UniPCSampler(configuration: c)
            }
        }
    }

    @Test func recipesSetEveryKey() throws {
        let sampler = try testRegistry.make(
            .sampler,
            from: [
                "kind": "unipc", "order": 3, "variant": "bh1", "prediction": "noise", "finalSteps": "fullOrder",
                "corrector": "none",
            ])
        let unipc = try #require(sampler as? UniPCSampler)
        var expected = UniPCSampler.Configuration()
        expected.order = 3
        expected.variant = .bh1
        expected.prediction = .noise
        expected.finalSteps = .fullOrder
        expected.corrector = .none
        #expect(unipc.configuration == expected)
        #expect(throws: (any Error).self) {
            try testRegistry.make(.sampler, from: ["kind": "unipc", "variant": "bh3"])
        }
        #expect { try testRegistry.make(.sampler, from: ["kind": "unipc", "order": 5]) } throws: {
            "\($0)".contains("order")
        }
    }

    /// The corrector reuses the next predictor's evaluation: N evaluations for N steps, with or
    /// without a last step to t = 0.
    @Test(arguments: [UniPCCase(), UniPCCase(order: 3, prediction: .noise), UniPCCase(order: 1, corrector: false)])
    func oneEvaluationPerStep(_ configuration: UniPCCase) throws {
        let sampler = configuration.sampler
        #expect(sampler.evaluationCount(forStepCount: 10) == 10)
        #expect(sampler.evaluationCount(forStepCount: 0) == 0)
        let sde = VarianceExplodingSDE()
        let initial = priorSamples(sde, count: 3)
        let ending = try solve(sampler, sde, times: uniformTimes(steps: 9, to: 1e-5), initial: initial)
        let zero = try solve(sampler, sde, times: uniformTimes(steps: 8, to: 1e-5) + [0], initial: initial)
        #expect(ending.evaluationCount == 9 && zero.evaluationCount == 9)
    }

    @Test(
        arguments: [
            UniPCCase(), UniPCCase(order: 1), UniPCCase(order: 3), UniPCCase(order: 3, lowerOrderFinal: false),
            UniPCCase(order: 3, variant: .bh1, prediction: .noise), UniPCCase(order: 2, corrector: false),
            UniPCCase(order: 3, prediction: .noise, corrector: false),
        ], [ProcessCase.variancePreserving, .varianceExploding])
    func conformance(_ configuration: UniPCCase, _ process: ProcessCase) {
        var options = SamplerCheckOptions()
        options.endTime = process.endTime
        let report = checkSampler(configuration.sampler, sde: process.sde, options: options)
        #expect(report.passed, "\(report)")
    }

    /// Order 1 without the corrector is DDIM, in either prediction.
    @Test(arguments: UniPCSampler.Target.allCases)
    func firstOrderPredictorIsDDIM(_ prediction: UniPCSampler.Target) throws {
        let sde = SubVariancePreservingSDE()
        let initial = priorSamples(sde, count: 8)
        let times = uniformTimes(steps: 12, to: 1e-3)
        let sampler = UniPCCase(order: 1, prediction: prediction, corrector: false).sampler
        let first = try solve(sampler, sde, times: times, initial: initial).samples.scalars
        let ddim = try solve(DDIMSampler(), sde, times: times, initial: initial).samples.scalars
        #expect(zip(first, ddim).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * Swift.max(1, Swift.abs($1)) })
    }
}

// MARK: - Order conditions

extension UniPCSamplerTests {
    /// λ-steps h₋₂ = ratio·h, h₋₁ = h before a step from 0.5 to 0.45 under VE, as times.
    static func history(_ sde: VarianceExplodingSDE, ratio: Double) -> (older: Double, previous: Double) {
        let (start, end) = (0.5, 0.45)
        let lambda = { (t: Double) in sde.marginal(at: t).halfLogSignalToNoiseRatio }
        let h = lambda(end) - lambda(start)
        let previous = sde.time(forHalfLogSignalToNoiseRatio: lambda(start) - h)
        return (sde.time(forHalfLogSignalToNoiseRatio: lambda(previous) - ratio * h), previous)
    }

    /// With exact history, UniP-3 on x̂₀ integrates a denoiser quadratic in λ exactly: its weights
    /// meet the B(h) conditions for i = 1, 2.
    @Test(arguments: UniPCSampler.Variant.allCases, [1.0, 0.6, 2.5])
    func thirdOrderPredictorIsExactForQuadratics(variant: UniPCSampler.Variant, ratio: Double) throws {
        let sde = VarianceExplodingSDE()
        let process = PolynomialDenoiser(sde: sde, coefficients: [0.3, -0.2, 0.05])
        let sampler = UniPCCase(order: 3, variant: variant, lowerOrderFinal: false, corrector: false).sampler
        let (older, previous) = Self.history(sde, ratio: ratio)
        var state = UniPCSampler.State()
        state.outputs = [older, previous].map { Tensor.full([1, 1], Float(process.value(at: $0))) }
        state.lambdas = [older, previous].map { sde.marginal(at: $0).halfLogSignalToNoiseRatio }
        var noise = PerSampleNoise(seed: 0)
        let x = 3.0
        let stepped = try sampler.step(
            Tensor.full([1, 1], Float(x)), over: TimeStep(start: 0.5, end: 0.45, index: 2, count: 4), state: &state,
            process: process, noise: &noise)
        let exact = process.exactStep(x, from: 0.5, to: 0.45)
        #expect(Swift.abs(Double(stepped.scalar) - exact) <= 2e-6 * Swift.abs(exact), "\(stepped.scalar) vs \(exact)")
    }

    /// UniC-p, which adds the new point (r = 1), integrates a polynomial of degree p in λ exactly
    /// (p = 2, 3); UniC-1's fixed ρ = ½ only constants.
    @Test(arguments: UniPCSampler.Variant.allCases, [2, 3])
    func correctorOfOrderPIsExactForDegreeP(variant: UniPCSampler.Variant, order: Int) throws {
        let sde = VarianceExplodingSDE()
        let process = PolynomialDenoiser(sde: sde, coefficients: [0.3, -0.2, 0.05, order == 3 ? -0.01 : 0])
        let sampler = UniPCCase(order: order, variant: variant, lowerOrderFinal: false).sampler
        let (older, previous) = Self.history(sde, ratio: 0.6)
        let (start, end) = (0.5, 0.45)
        let earlier = order == 3 ? [older, previous, start] : [previous, start]
        var state = UniPCSampler.State()
        state.outputs = earlier.map { Tensor.full([1, 1], Float(process.value(at: $0))) }
        state.lambdas = earlier.map { sde.marginal(at: $0).halfLogSignalToNoiseRatio }
        state.lastOrder = order
        let x = 3.0
        let corrected = sampler.correct(
            Tensor.full([1, 1], Float(x)), from: sde.marginal(at: start), to: sde.marginal(at: end),
            output: Tensor.full([1, 1], Float(process.value(at: end))), state: state)
        let exact = process.exactStep(x, from: start, to: end)
        #expect(
            Swift.abs(Double(corrected.scalar) - exact) <= 2e-6 * Swift.abs(exact), "\(corrected.scalar) vs \(exact)")
    }

    /// The weights against hand-solved systems: UniC-2 with r₁ = −1 solves [[1, 1], [−1, 1]]·ρ = b.
    @Test func weightsSolveTheOrderConditions() {
        let hh = -0.7
        for variant in UniPCSampler.Variant.allCases {
            let b = UniPCSampler.rightHandSide(count: 3, hh: hh, variant: variant)
            let bh = variant == .bh1 ? hh : Foundation.expm1(hh)
            // b_k = k!·g_k/B with g_k = Σ_{j≥1} ĥ^j/(j + k)!, summed here directly.
            for k in 1...3 {
                let g = (1...40).reduce(0.0) { sum, j in
                    sum + Foundation.pow(hh, Double(j)) / Foundation.tgamma(Double(j + k + 1))
                }
                #expect(Swift.abs(b[k - 1] - Foundation.tgamma(Double(k + 1)) * g / bh) <= 1e-14)
            }
            let rho = UniPCSampler.correctorWeights(ratios: [-1], hh: hh, variant: variant)
            #expect(Swift.abs(rho[0] + rho[1] - b[0]) <= 1e-14 && Swift.abs(-rho[0] + rho[1] - b[1]) <= 1e-14)
            #expect(UniPCSampler.correctorWeights(ratios: [], hh: hh, variant: variant) == [0.5])
            #expect(UniPCSampler.predictorWeights(ratios: [-1], hh: hh, variant: variant) == [0.5])
        }
        // g_k by its series (|ĥ| < 1) or its recursion (|ĥ| ≥ 1) against the sum written out.
        for x in [-4.0, -1.0, -0.999, -0.01, 0.3, 1.0, 2.5] {
            for k in 1...3 {
                let direct = (1...60).reduce(0.0) {
                    $0 + Foundation.pow(x, Double($1)) / Foundation.tgamma(Double($1 + k + 1))
                }
                #expect(Swift.abs(UniPCSampler.g(k, x) - direct) <= 1e-13 * Swift.abs(direct), "g_\(k)(\(x))")
            }
        }
    }
}

// MARK: - Convergence

extension UniPCSamplerTests {
    /// The slope that each (corrector, p) must reach on the ring, a little below the least
    /// measured over both variants, both predictions, lowerOrderFinal on or off and the three
    /// processes (slope between the two finest of 10, 20, 40, 60, 80, 120 steps even in log-SNR
    /// with error above 5e-6):
    /// UniPC-1 1.81–2.05, UniPC-2 2.79–3.09, UniPC-3 3.51–4.93 (before the Float32 floor),
    /// UniP-1 1.01–1.03, UniP-2 1.78–2.15, UniP-3 2.71–3.18: p + 1 with the corrector, p without.
    static func slopeBound(_ configuration: UniPCCase) -> Double {
        switch (configuration.corrector, configuration.order) {
        case (true, 1): 1.7
        case (true, 2): 2.6
        case (true, _): 3.3
        case (false, 1): 0.9
        case (false, 2): 1.6
        default: 2.5
        }
    }

    @Test("Order on grids uniform in log-SNR", arguments: UniPCCase.all, ProcessCase.allCases)
    func logSNRGrid(_ configuration: UniPCCase, _ process: ProcessCase) throws {
        let counts = [10, 20, 40, 60, 80, 120]
        let sde = process.sde
        let (high, low) = (
            sde.marginal(at: 1).logSignalToNoiseRatio, sde.marginal(at: process.endTime).logSignalToNoiseRatio
        )
        let problem = try #require(orderProblems[process])
        let measured = try counts.map { n in
            let times = (0...n).map { i in
                i == 0
                    ? 1
                    : i == n
                        ? process.endTime
                        : sde.time(forLogSignalToNoiseRatio: high + Double(i) / Double(n) * (low - high))
            }
            let outcome = try solve(configuration.sampler, sde, times: times, initial: problem.initial)
            return rootMeanSquareError(outcome.samples, problem.reference)
        }
        let order = try #require(ProbabilityFlowOrderTests.observedOrder(counts, measured), "errors \(measured)")
        let comment = Comment(rawValue: "order \(order) from errors \(measured.map { String(format: "%.2e", $0) })")
        #expect(order >= Self.slopeBound(configuration), comment)
        #expect(order >= Double(configuration.sampler.order ?? 0) - 0.3, comment)
    }
}

extension UniPCSamplerTests {
    /// Where x̂₀ still moves in λ at the grid's end (VP from t = 0.6 to 0.05, on the checks'
    /// stand-in mixture), `lowerOrderFinal`'s first-order last step shows: UniPC-2 converges at
    /// order 2 with it and 3 without (measured between 40 and 80 steps: 2.03 and 2.97).
    @Test func lowerOrderFinalBoundsTheOrderAtModerateSignalToNoise() throws {
        let sde = VariancePreservingSDE()
        let process = MixtureDenoiser(sde: sde)
        let (start, end) = (0.6, 0.05)
        let (high, low) = (sde.marginal(at: start).logSignalToNoiseRatio, sde.marginal(at: end).logSignalToNoiseRatio)
        func times(_ n: Int) -> [Double] {
            (0...n).map { i in
                i == 0
                    ? start
                    : i == n ? end : sde.time(forLogSignalToNoiseRatio: high + Double(i) / Double(n) * (low - high))
            }
        }
        let points: [Double] = [0.3, -1.2, 1.1, 0.4, -0.8, 0.9, 2.0, -0.5]
        let initial = Tensor(points.map { Float($0) }, shape: [4, 2])
        let reference = process.referenceSolution(from: points, times: times(4000))
        func slope(lowerOrderFinal: Bool) throws -> Double {
            let sampler = UniPCCase(lowerOrderFinal: lowerOrderFinal).sampler
            let errors = try [40, 80].map { n in
                var noise = PerSampleNoise(seed: 1)
                let samples = try runSampler(
                    sampler, process: process, times: times(n), initial: initial, noise: &noise
                )
                .samples.scalars.map(Double.init)
                let sum = zip(samples, reference).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                return (sum / Double(samples.count)).squareRoot()
            }
            return Foundation.log2(errors[0] / errors[1])
        }
        let (capped, uncapped) = (try slope(lowerOrderFinal: true), try slope(lowerOrderFinal: false))
        #expect(Swift.abs(capped - 2) <= 0.3, "slope \(capped)")
        #expect(uncapped >= 2.7, "slope \(uncapped)")
    }
}

// MARK: - Parity with diffusers

extension UniPCSamplerTests {
    /// A reference run: diffusers 0.42.1 `UniPCMultistepScheduler(num_train_timesteps=1000,
    /// beta_start=1e-4, beta_end=0.02, beta_schedule="linear", prediction_type="sample",
    /// timestep_spacing="linspace")` with the given `solver_order`, `solver_type`, `predict_x0`,
    /// `lower_order_final`, `disable_corrector` (every step when `corrector` is false) and
    /// `final_sigmas_type` ("zero": the timesteps then t = 0; "sigma_min": then timestep 0), its
    /// model the exact x̂₀ of `MixtureDenoiser`'s default mixture at diffusers' own α_t, σ_t,
    /// from `parityStart`, samples in float64; `expected` is its final sample.
    struct ParityCase: Sendable, CustomTestStringConvertible {
        var configuration: UniPCCase
        var timesteps: [Int]
        var toZero: Bool
        var expected: [Float]

        var testDescription: String {
            "\(configuration.testDescription), \(timesteps.count) steps, \(toZero ? "to zero" : "to sigma_min")"
        }
    }

    static let parityStart: [Float] = [
        0.1257302165031433, -0.13210485875606537, 0.6404226422309875, 0.10490011423826218, -0.5356693863868713,
        0.3615950644016266, 1.3040000200271606, 0.9470809698104858, -0.7037352323532104, -1.2654215097427368,
        -0.6232744455337524, 0.04132597893476486, -2.32503080368042, -0.218791663646698, -1.2459110021591187,
        -0.7322673797607422,
    ]

    /// diffusers' `linspace` timesteps for 10 and 25 steps.
    static let tenSteps = [999, 899, 799, 699, 599, 500, 400, 300, 200, 100]
    static let twentyFiveSteps = [
        999, 959, 919, 879, 839, 799, 759, 719, 679, 639, 599, 559, 519, 480, 440, 400, 360, 320, 280, 240, 200, 160,
        120, 80, 40,
    ]

    static let parityCases = [
        ParityCase(
            configuration: UniPCCase(), timesteps: tenSteps, toZero: true,
            expected: [
                0.28154872, -1.54327687, 1.38766225, -0.02414593, -0.80960597, -0.87174367, 1.89196911, 0.71632754,
                -0.27501103, -2.08485624, -0.86487201, -1.05735151, -1.79660039, -1.10075931, -1.21544759, -1.38690394,
            ]),
        ParityCase(
            configuration: UniPCCase(order: 3), timesteps: twentyFiveSteps, toZero: true,
            expected: [
                0.35376671, -1.47504895, 1.35748048, -0.08296353, -0.72462526, -0.80085511, 1.94789709, 0.72867067,
                -0.29392757, -2.17810461, -0.81173029, -1.03009403, -1.92849171, -1.13126992, -1.23543220, -1.46564800,
            ]),
        ParityCase(
            configuration: UniPCCase(order: 3, variant: .bh1, prediction: .noise, lowerOrderFinal: false),
            timesteps: twentyFiveSteps, toZero: false,
            expected: [
                0.29725513, -1.42222973, 1.34239322, -0.13021017, -0.70309281, -0.80831578, 1.96315263, 0.73702972,
                -0.36728841, -2.15278403, -0.78558547, -1.04705606, -1.95980550, -1.13521625, -1.23170310, -1.48890845,
            ]),
        ParityCase(
            configuration: UniPCCase(order: 1, prediction: .noise, corrector: false), timesteps: tenSteps,
            toZero: false,
            expected: [
                0.29093397, -1.40510507, 1.20160780, -0.26069162, -0.61549035, -0.85714329, 1.79229884, 0.61042647,
                -0.27637175, -1.98943653, -0.69128001, -1.05925404, -1.65817322, -1.10713244, -1.06332889, -1.39931524,
            ]),
        ParityCase(
            configuration: UniPCCase(order: 2, variant: .bh1), timesteps: twentyFiveSteps, toZero: false,
            expected: [
                0.35489382, -1.48470745, 1.37283646, -0.06640747, -0.73775877, -0.79496694, 1.95855682, 0.73485149,
                -0.29716925, -2.19213213, -0.82263950, -1.02489168, -1.95080008, -1.13329388, -1.25152867, -1.46917199,
            ]),
    ]

    /// The same run on `ddpm` over `timeGrid: { kind: times, timesteps: … }` matches to RMS 5e-6
    /// (measured 2.5e-7 to 6.5e-7: Float32 against float64 samples, and a schedule in Double
    /// against diffusers' Float32 `alphas_cumprod`).
    @Test(arguments: parityCases)
    func matchesDiffusers(_ parity: ParityCase) throws {
        let sde = DiscreteDDPMSDE()
        var grid = ExplicitTimeGrid.Configuration()
        grid.timesteps = parity.toZero ? parity.timesteps : parity.timesteps + [0]
        grid.finalStep = parity.toZero ? .toZero : .none
        let times = try ExplicitTimeGrid(configuration: grid).times(for: sde)
        var noise = PerSampleNoise(seed: 0)
        let outcome = try runSampler(
            parity.configuration.sampler, process: MixtureDenoiser(sde: sde), times: times,
            initial: Tensor(Self.parityStart, shape: [8, 2]), noise: &noise)
        let squares = zip(outcome.samples.scalars, parity.expected).map { Double($0 - $1) * Double($0 - $1) }
        let rms = (squares.reduce(0, +) / Double(squares.count)).squareRoot()
        #expect(rms <= 5e-6, "RMS \(rms)")
        #expect(outcome.evaluationCount == parity.timesteps.count)
    }
}
