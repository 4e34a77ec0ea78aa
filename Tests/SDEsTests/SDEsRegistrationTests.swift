import ScoreKitCore
import ScoreKitSDEs
import Testing

/// `registerSDEs()`: every component is listed with its configuration and defaults, and the
/// registry rejects invalid values with a message that names the key and the allowed range.
@Suite("registerSDEs")
struct SDEsRegistrationTests {
    @Test func registersEveryComponentWithItsDefaults() {
        let sdes = testRegistry.entries(of: .sde)
        #expect(
            sdes.map(\.id.rawValue) == [
                "cosine", "ddpm", "edm", "linear-interpolant", "sub-variance-preserving", "variance-exploding",
                "variance-preserving",
            ])
        let defaults = Dictionary(uniqueKeysWithValues: sdes.map { ($0.id.rawValue, $0.defaults) })
        #expect(defaults["variance-preserving"] == ["betaMin": 0.1, "betaMax": 20.0, "minimumTime": 1e-5])
        #expect(
            defaults["variance-exploding"] == [
                "sigmaMin": 0.01, "sigmaMax": 50.0, "minimumTime": 1e-5, "marginal": "scoreSDE",
            ])
        #expect(defaults["edm"] == ["sigmaMin": 0.002, "sigmaMax": 80.0])
        #expect(defaults["cosine"] == ["offset": 0.008, "minimumTime": 1e-5, "maximumTime": 0.9946])
        #expect(defaults["linear-interpolant"] == ["minimumTime": 1e-5, "maximumTime": 0.999])
        #expect(
            defaults["ddpm"] == [
                "trainStepCount": 1000, "betaSchedule": "linear", "betaStart": 1e-4, "betaEnd": 0.02, "rescale": "none",
            ])
        #expect(
            testRegistry.ids(of: .timeGrid).map(\.rawValue) == [
                "discrete", "geometric", "karras", "log-snr", "quadratic", "times", "uniform",
            ])
        let karras = testRegistry.entries(of: .timeGrid).first { $0.id == "karras" }
        #expect(karras?.defaults == ["steps": 18, "rho": 7.0, "endTime": 1e-3, "finalStep": "toZero"])
        #expect(
            testRegistry.ids(of: .parameterization).map(\.rawValue) == [
                "consistency", "denoised", "edm", "epsilon", "flow-velocity", "score", "velocity",
            ])
        let edm = testRegistry.entries(of: .parameterization).first { $0.id == "edm" }
        #expect(edm?.defaults == ["sigmaData": 0.5])
        for entry in testRegistry.allEntries { #expect(!entry.summary.isEmpty) }
    }

    @Test func rejectsBetaMaxNotAboveBetaMin() {
        let error = ConfigurationError.located(
            .outOfRange(key: "betaMax", value: "0.05", expected: "a finite number > betaMin (0.1)"),
            path: "sde.betaMax", location: nil)
        #expect(throws: error) {
            try testRegistry.make(.sde, from: ["kind": "variance-preserving", "betaMax": 0.05])
        }
        #expect(
            error.description
                == "error: value 0.05 for 'sde.betaMax' is out of range; expected a finite number > betaMin (0.1)")
    }

    @Test func rejectsUnknownKeysAndChoices() {
        #expect(throws: ConfigurationError.self) {
            try testRegistry.make(.sde, from: ["kind": "ddpm", "betaSchedule": "quadratic"])
        }
        #expect(throws: ConfigurationError.self) {
            try testRegistry.make(.sde, from: ["kind": "edm", "sigmaData": 0.5])
        }
        #expect(throws: ConfigurationError.self) {
            try testRegistry.make(.timeGrid, from: ["kind": "karras", "steps": 0])
        }
    }

    @Test func resolvedSectionsListEveryKey() throws {
        let resolved = try testRegistry.resolve(.timeGrid, from: ["kind": "discrete", "spacing": "trailing"])
        #expect(
            resolved.configuration == [
                "kind": "discrete", "steps": 50, "spacing": "trailing", "convention": "ddim", "stepsOffset": 0,
                "trainStepCount": 1000, "finalStep": "toZero",
            ])
    }
}
