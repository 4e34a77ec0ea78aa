import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitTesting
import Testing

@Suite struct ActivationTests {
    static let points: [Double] = [-2.5, -0.7, 0.3, 1.9]

    static func reference(_ activation: Activation, _ x: Double) -> Double {
        switch activation {
        case .silu: return x / (1 + Foundation.exp(-x))
        case .gelu: return 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot()))
        case .softplus: return Foundation.log(1 + Foundation.exp(x))
        case .tanh: return Foundation.tanh(x)
        }
    }

    @Test(arguments: Activation.allCases)
    func matchesItsDefinition(_ activation: Activation) {
        let y = activation(Tensor(Self.points.map(Float.init))).scalars
        for (x, value) in zip(Self.points, y) {
            let expected = Self.reference(activation, x)
            #expect(
                isClose(Double(value), expected, absolute: 1e-6, relative: 1e-5),
                "\(activation)(\(x)) = \(value), expected \(expected)")
        }
    }

    @Test(arguments: Activation.allCases)
    func differentiatesTwice(_ activation: Activation) {
        let x = Tensor(Self.points.map(Float.init))
        let first = checkGradients(of: { activation($0) }, at: x, absoluteTolerance: 1e-4, relativeTolerance: 1e-3)
        #expect(first.passed, "\(first)")
        let second = checkSecondOrder(of: { activation($0) }, at: x, absoluteTolerance: 1e-3, relativeTolerance: 1e-2)
        #expect(second.passed, "\(second)")
    }

    @Test func decodesFromItsName() throws {
        #expect(Activation(rawValue: "gelu") == .gelu)
        #expect(Activation.allCases.map(\.rawValue) == ["silu", "gelu", "softplus", "tanh"])
    }
}
