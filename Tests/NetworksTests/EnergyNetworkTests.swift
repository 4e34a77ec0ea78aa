import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitTesting
import Testing

/// The energy network's output is −∇ₓE, its log-density matches the score the process derives
/// from that output, and a loss through the output differentiates with respect to θ (double
/// backward): each against central finite differences.
@Suite("EnergyNetwork")
struct EnergyNetworkTests {
    static let network = EnergyNetwork(dimension: 2, embeddingWidth: 4, hiddenWidths: [8, 8], seed: 3)
    static let x = Tensor([0.4, -0.3, 1.1, 0.7, -0.9, 0.2, 2.0, -1.5], shape: [4, 2])

    static func condition(time: Double = 0.3, marginal: Marginal = marginal) -> NoiseCondition {
        NoiseCondition(count: 4, time: time, marginal: marginal)
    }

    static let marginal = Marginal(
        signalScale: 0.8, noiseScale: 0.6, signalScaleDerivative: -0.5, noiseScaleDerivative: 0.7)

    /// Central differences of `f` (a per-sample scalar `[N]`) in each element of `x`, in Double.
    static func finiteDifferences(_ f: (Tensor) -> Tensor, at x: Tensor, step: Float = 1e-2) -> [Double] {
        var values = x.scalars
        var result: [Double] = []
        for i in values.indices {
            let row = i / x.shape[1]
            let saved = values[i]
            values[i] = saved + step
            let plus = Double(f(Tensor(values, shape: x.shape)).scalars[row])
            values[i] = saved - step
            let minus = Double(f(Tensor(values, shape: x.shape)).scalars[row])
            values[i] = saved
            result.append((plus - minus) / (2 * Double(step)))
        }
        return result
    }

    static func expectClose(_ got: [Float], _ expected: [Double], absolute: Double, relative: Double) {
        #expect(got.count == expected.count)
        for (i, (a, b)) in zip(got, expected).enumerated() {
            let tolerance = Swift.max(absolute, relative * Swift.max(Swift.abs(Double(a)), Swift.abs(b)))
            #expect(Swift.abs(Double(a) - b) <= tolerance, "element \(i): \(a) vs finite difference \(b)")
        }
    }

    @Test("the output is −∇ₓE, by finite differences of E, recorded or not")
    func outputIsNegativeGradient() {
        let net = Self.network
        let c = Self.condition()
        let fd = Self.finiteDifferences({ net.energy($0, c) }, at: Self.x).map { -$0 }
        Self.expectClose(net(Self.x, c).scalars, fd, absolute: 2e-3, relative: 1e-2)
        let sampled = Autodiff.withoutRecording { net(Self.x, c) }
        #expect(!sampled.isTracked)
        Self.expectClose(sampled.scalars, fd, absolute: 2e-3, relative: 1e-2)
        // The output is not constant: a check that could pass on zeros would prove nothing.
        #expect(fd.map { Swift.abs($0) }.max() ?? 0 > 1e-2)
    }

    @Test(
        "log p_t from logDensityAndOutput has the gradient (α·x̂₀ − x)/σ² of the output's x̂₀",
        arguments: [Prediction.score, .epsilon, .denoised, .velocity, .flowVelocity])
    func logDensityMatchesScore(prediction: Prediction) {
        let net = Self.network
        let m = Self.marginal
        var c = prediction.preconditioning(for: m)
        c.inputScale = 0.7  // a c_in ≠ 1 as EDM's, applied by the model
        let condition = Self.condition()
        let (_, output) = net.logDensityAndOutput(Self.x, condition, marginal: m, preconditioning: c)
        let denoised = Self.x * Float(c.skipScale) + output * Float(c.outputScale)
        let score = (denoised * Float(m.signalScale) - Self.x) * Float(1 / (m.noiseScale * m.noiseScale))
        let fd = Self.finiteDifferences(
            { net.logDensityAndOutput($0, condition, marginal: m, preconditioning: c).logDensity }, at: Self.x)
        Self.expectClose(score.scalars, fd, absolute: 3e-3, relative: 1e-2)
        // The output is F at c_in·x.
        let direct = net(Self.x * Float(c.inputScale), condition)
        Self.expectClose(output.scalars, direct.scalars.map(Double.init), absolute: 1e-6, relative: 1e-5)
    }

    @Test("with the score target log p_t = −E exactly")
    func scoreTargetLogDensityIsNegativeEnergy() {
        let net = Self.network
        let m = Self.marginal
        let c = Prediction.score.preconditioning(for: m)
        let condition = Self.condition()
        let logDensity = net.logDensityAndOutput(Self.x, condition, marginal: m, preconditioning: c).logDensity
        let energy = Autodiff.withoutRecording { net.energy(Self.x, condition) }
        Self.expectClose(logDensity.scalars, energy.scalars.map { -Double($0) }, absolute: 1e-5, relative: 1e-5)
    }

    @Test("a loss through −∇ₓE differentiates with respect to θ (double backward)")
    func doubleBackward() {
        let net = Self.network
        let condition = NoiseCondition(
            times: [0.1, 0.4, 0.7, 0.9], marginals: [Self.marginal, Self.marginal, Self.marginal, Self.marginal])
        let target = Tensor([0.3, -0.2, 0.1, 0.5, -0.4, 0.0, 0.2, 0.6], shape: [4, 2])
        let result = checkGradients(
            of: { inputs in
                var copy = net
                copy.parameters = ParameterSet(Array(zip(net.parameters.names, inputs)))
                return square(copy(Self.x, condition) - target).mean()
            }, at: net.parameters.tensors, absoluteTolerance: 2e-4, relativeTolerance: 2e-2)
        #expect(result.passed, "\(result)")
        #expect(result.checkedCount == net.parameters.scalarCount)
    }

    @Test("∇ₓ of the output reaches a tracked input (implicit score matching's Jacobian)")
    func jacobianOfTheOutput() {
        let net = Self.network
        let c = Self.condition()
        // d/dx of Σ F(x)·v: the Hessian of E applied to v, against differences of the output.
        let v = Tensor([1, 0.5, -0.3, 2, 0.7, -1, 0.2, 0.4], shape: [4, 2])
        let result = checkGradients(
            of: { x in (net(x, c) * v).sum() }, at: Self.x, absoluteTolerance: 2e-3, relativeTolerance: 2e-2)
        #expect(result.passed, "\(result)")
    }

    @Test("the parameters are the MLP trunk's with a one-row output layer; the footprint counts them")
    func parametersAndFootprint() throws {
        var configuration = EnergyArchitecture.Configuration()
        configuration.hiddenWidths = [16, 8]
        configuration.embeddingWidth = 4
        let architecture = EnergyArchitecture(configuration: configuration)
        let model = architecture.makeModel(sampleShape: [3], classCount: 2, seed: 1)
        #expect(model is any LogDensityModel)
        #expect(model.parameters.names.first == "emb1.weight")
        #expect(model.parameters["l3.weight"]?.shape == [1, 8])
        let footprint = try #require(architecture.footprint(sampleShape: [3], classCount: 2))
        #expect(footprint.parameterCount == Double(model.parameters.scalarCount))
    }
}
