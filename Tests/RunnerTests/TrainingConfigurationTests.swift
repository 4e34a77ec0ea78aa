import ScoreKitCore
import ScoreKitNetworks
import ScoreKitRunner
import Testing

/// The `training:` and `data:` sections: strict decoding, defaults in the resolved recipe, cross checks.
@Suite("Training and data sections")
struct TrainingConfigurationTests {
    static let base = "sde: { kind: variance-exploding }\n"

    @Test("defaults fill the resolved tree; nested schedule and EMA decode")
    func defaults() throws {
        let resolved = try resolveTraining(
            Self.base
                + "data: { kind: two-moons }\ntraining: { steps: 50, learningRateSchedule: { kind: cosine, floor: 0.1 } }\n"
        )
        let training = try #require(resolved.trainingConfiguration)
        #expect(training.steps == 50 && training.batchSize == 128 && training.clipNorm == nil)
        #expect(training.learningRateSchedule == LearningRateSchedule(kind: .cosine, floor: 0.1))
        #expect(
            resolved.tree["training"]?.keys == [
                "steps", "batchSize", "learningRate", "learningRateSchedule", "gradientClipNorm", "divergenceFactor",
                "ema",
                "logEvery", "checkpointEvery", "evaluateEvery", "timeBinCount", "rowsPerShard",
            ])
        #expect(
            resolved.tree["data"]?.keys == [
                "kind", "count", "noise", "seed", "labelled", "heldOutFraction", "standardization",
            ])
        #expect(resolved.componentIDs[.data] == "two-moons")
    }

    @Test("an unknown training key: did you mean, at its line and column")
    func unknownKey() {
        let error = trainingResolutionError(Self.base + "training: { stesp: 5 }\n")
        #expect(
            error?.description == """
                recipes/test.yaml:2:13: error: unknown key 'stesp' in 'training'
                  valid keys: batchSize, checkpointEvery, divergenceFactor, ema, evaluateEvery, gradientClipNorm, learningRate, learningRateSchedule, logEvery, rowsPerShard, steps, timeBinCount; did you mean 'steps'?
                """)
    }

    @Test("nested ranges are checked and located")
    func nestedRange() {
        let error = trainingResolutionError(Self.base + "training:\n  ema: { decay: 1.5 }\n")
        #expect(
            error?.description
                == "recipes/test.yaml:3:17: error: value 1.5 for 'training.ema.decay' is out of range; expected a number in [0, 1)"
        )
    }

    @Test("rowsPerShard must be at least 1")
    func rowsPerShard() {
        let error = trainingResolutionError(Self.base + "training: { rowsPerShard: 0 }\n")
        #expect(
            error?.description
                == "recipes/test.yaml:2:27: error: value 0 for 'training.rowsPerShard' is out of range; "
                + "expected an integer from 1 to 1,048,576 (the ceiling for rows of a batch)"
        )
    }

    @Test("an unknown data set, and a data key of another kind")
    func unknownData() {
        #expect(
            trainingResolutionError(Self.base + "data: { kind: rign }\n")?.description == """
                recipes/test.yaml:2:15: error: unknown data set 'rign'
                  known data sets: checkerboard, concentric-rings, csv, digits, gaussian-mixture, grid, idx, npy, pinwheel, ring, spirals, swiss-roll, two-moons
                  did you mean 'ring'?
                """)
        #expect(
            trainingResolutionError(Self.base + "data: { kind: ring, radus: 1 }\n")?.description == """
                recipes/test.yaml:2:21: error: unknown key 'radus' for data set 'ring'
                  valid keys: componentCount, count, heldOutFraction, labelled, radius, seed, standardDeviation, standardization; did you mean 'radius'?
                """)
    }

    @Test("evaluation needs held-out data")
    func evaluationNeedsHeldOut() {
        let error = trainingResolutionError(Self.base + "data: { kind: ring }\ntraining: { evaluateEvery: 100 }\n")
        #expect(
            error?.description == """
                recipes/test.yaml:3:28: error: training.evaluateEvery is 100 but the data has no held-out part
                  set data.heldOutFraction (such as 0.1), or training.evaluateEvery: 0
                """)
    }

    @Test("gaussian-mixture settings are checked when the recipe resolves")
    func mixtureChecked() {
        #expect(
            trainingResolutionError(
                Self.base + "data: { kind: gaussian-mixture, means: [[0, 0], [1, 1]], weights: [1] }\n")?
                .description
                == "recipes/test.yaml:2:67: error: value 1 weights for 'data.weights' is out of range; expected one weight per mean (2), or none"
        )
    }
}
