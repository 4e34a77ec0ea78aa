import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

@testable import ScoreKitSamplers

@Suite("AdamsBashforthSampler")
struct AdamsBashforthSamplerTests {
    /// On an even grid the weights are the textbook table (t decreasing: h < 0 changes nothing).
    @Test func evenGridWeightsAreTheTextbookTable() {
        let expected: [[Double]] = [
            [3.0 / 2, -1.0 / 2], [23.0 / 12, -16.0 / 12, 5.0 / 12],
            [55.0 / 24, -59.0 / 24, 37.0 / 24, -9.0 / 24],
        ]
        for table in expected {
            let k = table.count
            let nodes = (0..<k).map { 0.5 + 0.1 * Double($0) }  // t_n = 0.5, t_{n−1} = 0.6, …
            let weights = AdamsBashforthSampler.weights(nodes: nodes, from: 0.5, to: 0.4)
            for (w, b) in zip(weights, table) { #expect(Swift.abs(w - b) < 1e-12, "order \(k): \(weights)") }
        }
    }

    /// Uneven steps: the weights integrate every polynomial of degree < k exactly.
    @Test func unevenWeightsIntegratePolynomialsExactly() {
        let nodes = [0.3, 0.45, 0.7, 0.72]
        let (start, end) = (0.3, 0.21)
        let weights = AdamsBashforthSampler.weights(nodes: nodes, from: start, to: end)
        for degree in 0..<4 {
            let p = { (t: Double) in Foundation.pow(t, Double(degree)) }
            let exact =
                (Foundation.pow(end, Double(degree + 1)) - Foundation.pow(start, Double(degree + 1)))
                / Double(degree + 1) / (end - start)
            let rule = zip(weights, nodes).reduce(0) { $0 + $1.0 * p($1.1) }
            #expect(Swift.abs(rule - exact) < 1e-12, "degree \(degree)")
        }
    }

    @Test func countsAndSettings() throws {
        var c = AdamsBashforthSampler.Configuration()
        c.order = 4
        let sampler = try AdamsBashforthSampler(configuration: c)
        #expect(sampler.evaluationCount(forStepCount: 10) == 10 + 9)
        #expect(sampler.evaluationCount(forStepCount: 2) == 2 + 6)
        c.order = 5
        #expect(throws: ConfigurationError.self) { try AdamsBashforthSampler(configuration: c) }
    }
}
