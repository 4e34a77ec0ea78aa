import ScoreKitCore
import ScoreKitNetworks

extension Checkpoint {
    /// Sets `state` (a fresh `Trainer.initialState()` of the recipe to continue) to this
    /// checkpoint, after checking every name and shape against it, and that every weight,
    /// average and optimizer value is finite.
    ///
    /// - Throws: `CheckpointError.missingTensors`, `unexpectedTensors`, `shapeMismatch` when
    ///   the checkpoint was written for another network or optimizer; `optimizerNotRestorable`
    ///   for an optimizer the Runner cannot read back; `nonFiniteTensor` naming the first tensor
    ///   that holds NaN or ±∞.
    public func restore(into state: inout TrainingState, path: String) throws(CheckpointError) {
        let fresh = state.model.parameters
        let expected = Array(zip(fresh.names, fresh.tensors.map(\.shape)))
        try Self.check(parameters, against: expected, prefix: "model.", path: path)
        try Self.check(average, against: expected, prefix: "ema.", path: path)
        let optimizerExpected = state.optimizerState.tensors.map { ($0.name, $0.tensor.shape) }
        try Self.check(optimizer, against: optimizerExpected, prefix: "optimizer.", path: path)
        try requireFinite(path: path, use: .resuming)
        guard var restorable = state.optimizerState as? any RestorableOptimizerState else {
            throw .optimizerNotRestorable(path: path, stateType: String(describing: type(of: state.optimizerState)))
        }
        restorable.restore(optimizer, stepCount: optimizerStepCount)
        state.optimizerState = restorable
        var model = fresh
        var averaged = state.average.average
        for (i, name) in fresh.names.enumerated() {
            model.tensors[i] = parameters[name]!
            averaged.tensors[i] = average[name]!
        }
        state.model.parameters = model
        state.average.average = averaged
        state.average.updateCount = averageUpdateCount
        state.recentLosses = RunningMedian(capacity: DivergenceGuard.windowCount, values: recentLosses)
        state.step = step
    }

    /// Checks that `stored` has exactly the names of `expected`, with their shapes.
    static func check(
        _ stored: [String: Tensor], against expected: [(String, [Int])], prefix: String, path: String
    ) throws(CheckpointError) {
        let missing = expected.map(\.0).filter { stored[$0] == nil }
        guard missing.isEmpty else { throw .missingTensors(path: path, names: missing.map { prefix + $0 }) }
        let names = Set(expected.map(\.0))
        let unexpected = stored.keys.filter { !names.contains($0) }.sorted()
        guard unexpected.isEmpty else { throw .unexpectedTensors(path: path, names: unexpected.map { prefix + $0 }) }
        for (name, shape) in expected where stored[name]!.shape != shape {
            throw .shapeMismatch(path: path, name: prefix + name, stored: stored[name]!.shape, expected: shape)
        }
    }

    /// The dotted paths at which this checkpoint's recipe differs from `recipe`, the `training`
    /// section aside (a resumed run may train longer or log differently).
    public func recipeDifferences(from recipe: ResolvedRecipe, path: String) throws(CheckpointError) -> [String] {
        try Self.differences(storedRecipe(path: path), recipe.tree, path: "").filter { !Self.isTraining($0) }
    }

    /// The dotted paths of the `training` section at which `recipe` differs from this
    /// checkpoint's recipe (`training.steps` when a resume trains longer).
    public func trainingChanges(from recipe: ResolvedRecipe, path: String) throws(CheckpointError) -> [String] {
        try Self.differences(storedRecipe(path: path), recipe.tree, path: "").filter(Self.isTraining)
    }

    private static func isTraining(_ path: String) -> Bool {
        path == "training" || path.hasPrefix("training.")
    }

    /// The recipe in the metadata, parsed.
    private func storedRecipe(path: String) throws(CheckpointError) -> ConfigurationValue {
        do {
            return try YAMLLoader.parse(recipe, file: path)
        } catch {
            throw .notACheckpoint(path: path, reason: "its recipe metadata is not valid YAML")
        }
    }

    /// The dotted paths at which two trees differ (keys present in one only included).
    static func differences(_ a: ConfigurationValue, _ b: ConfigurationValue, path: String) -> [String] {
        guard let left = a.entries, let right = b.entries else { return a == b ? [] : [path.isEmpty ? "(root)" : path] }
        var keys = left.map(\.key)
        for key in right.map(\.key) where !keys.contains(key) { keys.append(key) }
        return keys.flatMap { key -> [String] in
            let child = path.isEmpty ? key : path + "." + key
            switch (a[key], b[key]) {
            case let (x?, y?): return differences(x, y, path: child)
            default: return [child]
            }
        }
    }
}
