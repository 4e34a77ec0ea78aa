import Foundation
import ScoreKitCore
import ScoreKitNetworks
import Testing

@Suite struct LearningRateScheduleTests {
    @Test func constantIsThePeak() {
        let schedule = LearningRateSchedule()
        #expect(schedule.kind == .constant)
        #expect(schedule.learningRate(atStep: 0, peak: 2e-4, stepCount: 10) == 2e-4)
        #expect(schedule.learningRate(atStep: 999, peak: 2e-4, stepCount: 10) == 2e-4)
    }

    @Test func linearWarmupRisesToThePeak() {
        let schedule = LearningRateSchedule(kind: .linearWarmup, warmupSteps: 4)
        let rates = (0..<6).map { schedule.factor(atStep: $0, stepCount: 100) }
        #expect(rates == [0.25, 0.5, 0.75, 1, 1, 1])
    }

    @Test func cosineDecaysToTheFloor() {
        let schedule = LearningRateSchedule(kind: .cosine, decaySteps: 8, floor: 0.1)
        // f + (1 − f)·½(1 + cos(πn/8)).
        for n in [0, 2, 4, 6, 8, 12] {
            let p = Swift.min(Double(n) / 8, 1)
            let expected = 0.1 + 0.9 * 0.5 * (1 + Foundation.cos(Double.pi * p))
            #expect(Swift.abs(schedule.factor(atStep: n, stepCount: 0) - expected) < 1e-12)
        }
        #expect(schedule.factor(atStep: 4, stepCount: 0) == 0.55)
        // decaySteps 0: the run's own length.
        let whole = LearningRateSchedule(kind: .cosine)
        #expect(Swift.abs(whole.factor(atStep: 50, stepCount: 100) - 0.5) < 1e-12)
        #expect(whole.factor(atStep: 100, stepCount: 100) == 0)
    }

    @Test func warmupThenCosine() {
        let schedule = LearningRateSchedule(kind: .warmupCosine, warmupSteps: 2, decaySteps: 6)
        let rates = (0..<8).map { schedule.learningRate(atStep: $0, peak: 1, stepCount: 0) }
        let expected = [
            0.5, 1, 1, 0.5 * (1 + Foundation.cos(Double.pi / 4)), 0.5, 0.5 * (1 + Foundation.cos(3 * Double.pi / 4)), 0,
            0,
        ]
        for (a, b) in zip(rates, expected) { #expect(Swift.abs(a - b) < 1e-12, "\(rates)") }
    }

    @Test func decodesStrictlyAndValidates() throws {
        let decoded = try LearningRateSchedule.decode(
            from: ["kind": "warmupCosine", "warmupSteps": 100, "floor": 0.01], path: "training.learningRateSchedule")
        #expect(decoded == LearningRateSchedule(kind: .warmupCosine, warmupSteps: 100, floor: 0.01))
        #expect(throws: ConfigurationError.self) {
            try LearningRateSchedule.decode(from: ["kind": "linearWarmup"], path: "s")
        }
        #expect(throws: ConfigurationError.self) {
            try LearningRateSchedule.decode(from: ["kind": "cosine", "warmupSteps": 5], path: "s")
        }
        #expect(throws: ConfigurationError.self) {
            try LearningRateSchedule.decode(
                from: ["kind": "warmupCosine", "warmupSteps": 5, "decaySteps": 5], path: "s")
        }
        #expect(throws: ConfigurationError.self) { try LearningRateSchedule.decode(from: ["flor": 0.1], path: "s") }
    }
}
