import ScoreKitCore

/// Checks shared by the file readers: finite values, labels, flattening.
enum DataFileChecks {
    /// `tensor` `[N, …]` as `[N, D]`, or an error naming `path` when it has no samples.
    static func flattened(_ tensor: Tensor, path: String, format: String) throws(DataError) -> Tensor {
        guard tensor.rank >= 1, tensor.shape[0] >= 1 else {
            throw .malformed(
                path: path, format: format, reason: "the array of shape \(tensor.shape) has no samples",
                hint: "data files hold one sample per row (the first axis)")
        }
        let n = tensor.shape[0]
        let width = n == 0 ? 0 : tensor.scalarCount / n
        guard width >= 1 else {
            throw .malformed(
                path: path, format: format, reason: "the array of shape \(tensor.shape) has no values per sample",
                hint: "data files hold one sample per row (the first axis)")
        }
        return tensor.reshaped([n, width])
    }

    /// Throws when a value of `samples` `[N, D]` is NaN or infinite, naming the first.
    static func requireFinite(_ samples: Tensor, path: String, format: String) throws(DataError) {
        let width = samples.shape[1]
        let bad = samples.withUnsafeBufferPointer { values in values.firstIndex { !$0.isFinite } }
        if let bad {
            let value = samples.withUnsafeBufferPointer { $0[bad] }
            throw .malformed(
                path: path, format: format,
                reason:
                    "row \(bad / width), column \(bad % width) (counting from 0) is \(value); every value must be finite",
                hint: "remove or replace the rows with NaN or infinite values")
        }
    }

    /// Labels from `values`: one whole number ≥ 0 per sample; returns them and the class count.
    static func labels(
        _ values: [Float], path: String, sampleCount: Int
    ) throws(DataError) -> (labels: [Int], classCount: Int) {
        guard values.count == sampleCount else {
            throw .invalidLabels(path: path, reason: "\(values.count) labels for \(sampleCount) samples")
        }
        var labels: [Int] = []
        labels.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            guard value >= 0, value.isFinite, value == value.rounded(), value < Float(1 << 24) else {
                throw .invalidLabels(path: path, reason: "label \(index) (counting from 0) is \(value)")
            }
            labels.append(Int(value))
        }
        return (labels, (labels.max() ?? -1) + 1)
    }

    /// Checks that a path key is not empty.
    static func validatePath(_ path: String, key: String, what: String) throws(ConfigurationError) {
        guard !path.isEmpty else { throw .outOfRange(key: key, value: "\"\"", expected: "the path of \(what)") }
    }
}
