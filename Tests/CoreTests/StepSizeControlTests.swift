import Foundation
import Testing

@testable import ScoreKitCore

/// The step-size controller's factors (`StepSizeControl`), by hand.
@Suite("Step-size control")
struct StepSizeControlTests {
    /// I controller: safety·ε^(−1/q), q = 5, held at 1 after a rejection.
    @Test func integralFactor() {
        var control = StepSizeControl()
        control.predictive = false
        let f = control.acceptedFactor(error: 0.5, size: 0.1, previous: (0.05, 0.1), rejectedLast: false, order: 5)
        #expect(abs(f - 0.9 * pow(0.5, -0.2)) < 1e-12)
        let held = control.acceptedFactor(error: 0.01, size: 0.1, previous: (0.05, 0.1), rejectedLast: true, order: 5)
        #expect(held == 1)
        #expect(abs(control.rejectedFactor(error: 4, order: 5) - 0.9 * pow(4, -0.2)) < 1e-12)
    }

    /// Gustafsson's prediction: safety·(h_n/h_{n−1})·(max(ε_{n−1}, 0.01)/ε_n²)^(1/q) when it is
    /// the smaller; the I factor when the error falls; no prediction after a sample's first step.
    @Test func predictiveFactor() {
        let control = StepSizeControl()
        #expect(control.predictive)
        // The error grew tenfold over equal steps: the prediction (0.9·0.2^0.2 ≈ 0.652) wins.
        let growing = control.acceptedFactor(
            error: 0.5, size: 0.1, previous: (0.05, 0.1), rejectedLast: false, order: 5)
        #expect(abs(growing - 0.9 * pow(0.05 / 0.25, 0.2)) < 1e-12)
        // A previous error below 0.01 counts as 0.01; the step ratio enters linearly.
        let floored = control.acceptedFactor(
            error: 0.5, size: 0.2, previous: (1e-6, 0.1), rejectedLast: false, order: 5)
        #expect(abs(floored - 0.9 * 2 * pow(0.01 / 0.25, 0.2)) < 1e-12)
        // Falling error: the prediction is larger, the I factor stays.
        let falling = control.acceptedFactor(
            error: 0.05, size: 0.1, previous: (0.5, 0.1), rejectedLast: false, order: 5)
        #expect(abs(falling - 0.9 * pow(0.05, -0.2)) < 1e-12)
        // The first accepted step has no predecessor.
        let first = control.acceptedFactor(error: 0.5, size: 0.1, previous: (1, 0), rejectedLast: false, order: 5)
        #expect(abs(first - 0.9 * pow(0.5, -0.2)) < 1e-12)
        // After a rejection the prediction may still shrink the step below the hold at 1.
        let afterRejection = control.acceptedFactor(
            error: 0.5, size: 0.1, previous: (0.05, 0.1), rejectedLast: true, order: 5)
        #expect(abs(afterRejection - growing) < 1e-12)
    }
}
