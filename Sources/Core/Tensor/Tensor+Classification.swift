/// log softmax(z_i)[c_i] per row of logits `[N, K]`, as `[N]`: the log-probability a classifier
/// gives each row's class, differentiable through `z`.
///
/// ```
/// log p(c_i | z_i) = z_ic − log Σ_k exp z_ik
/// ```
/// The row maximum is subtracted first (a constant, so the gradient is onehot(c) − softmax(z)).
/// Cross-entropy is its negated mean; classifier guidance differentiates its sum with respect
/// to the classifier's input.
/// - Precondition: `z` is `[N, K]`, one class per row, each in 0..<K.
public func classLogProbability(logits z: Tensor, classes: [Int]) -> Tensor {
    precondition(z.rank == 2 && z.shape[0] == classes.count, "logits \(z.shape) for \(classes.count) classes")
    let (n, k) = (z.shape[0], z.shape[1])
    let shifted = z - z.detached().max(alongAxis: 1, keepingDimension: true)
    let logNormalizer = log(exp(shifted).sum(alongAxis: 1, keepingDimension: true))
    var hot = [Float](repeating: 0, count: n * k)
    for (i, c) in classes.enumerated() {
        precondition(c >= 0 && c < k, "class \(c) of row \(i) is not among the \(k) classes")
        hot[i * k + c] = 1
    }
    return ((shifted - logNormalizer) * Tensor(hot, shape: [n, k])).sum(alongAxis: 1)
}
