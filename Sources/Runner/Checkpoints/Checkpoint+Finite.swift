import Foundation
import ScoreKitCore

extension Checkpoint {
    /// The groups of tensors a checkpoint holds, by the prefix of their names in the file.
    public enum TensorGroup: String, Sendable, CaseIterable {
        /// `model.<name>`: the weights θ.
        case model = "model."
        /// `ema.<name>`: the weight average θ̄.
        case average = "ema."
        /// `optimizer.<name>`: the optimizer's state.
        case optimizer = "optimizer."
    }

    /// The first tensor of `groups` (in that order, names sorted within a group) that holds NaN
    /// or ±∞, named as in the file; `nil` when they are all finite.
    public func firstNonFiniteTensor(in groups: [TensorGroup] = TensorGroup.allCases) -> NonFiniteTensor? {
        for group in groups {
            let tensors: [String: Tensor]
            switch group {
            case .model: tensors = parameters
            case .average: tensors = average
            case .optimizer: tensors = optimizer
            }
            let named = tensors.keys.sorted().map { (name: group.rawValue + $0, tensor: tensors[$0]!) }
            if let bad = NonFiniteTensor.first(in: named) { return bad }
        }
        return nil
    }

    /// Throws `CheckpointError.nonFiniteTensor` when a tensor of `groups` holds NaN or ±∞.
    public func requireFinite(
        _ groups: [TensorGroup] = TensorGroup.allCases, path: String, use: CheckpointError.Use
    ) throws(CheckpointError) {
        guard let bad = firstNonFiniteTensor(in: groups) else { return }
        throw .nonFiniteTensor(path: path, tensor: bad, use: use, previous: Self.previousCheckpoint(besides: path))
    }

    /// The run folder's `checkpoint.previous.safetensors` beside the checkpoint at `path`, when
    /// that file exists and is not `path` itself.
    static func previousCheckpoint(besides path: String) -> String? {
        let name = RunFolder.previousCheckpointName
        let folder = path.range(of: "/", options: .backwards).map { String(path[..<$0.lowerBound]) }
        let previous = folder.map { ($0.isEmpty ? "" : $0) + "/" + name } ?? name
        guard !path.hasSuffix(name), FileManager.default.fileExists(atPath: previous) else { return nil }
        return previous
    }
}
