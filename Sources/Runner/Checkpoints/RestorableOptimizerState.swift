import ScoreKitCore
import ScoreKitNetworks

/// Optimizer state that can be set back from the named tensors `OptimizerState.tensors` gave.
///
/// Core's `OptimizerState` only writes its tensors; the Runner adds reading for the optimizers
/// it knows (Adam/AdamW, SGD). The names have been checked against a fresh state's before
/// `restore` is called, so every one is present with the right shape.
protocol RestorableOptimizerState: OptimizerState {
    /// Sets every tensor from `values` (by the names of `tensors`) and the step count.
    mutating func restore(_ values: [String: Tensor], stepCount: Int)
}

extension Adam.State: RestorableOptimizerState {
    /// `tensors` lists the first moments, then the second moments, in parameter order.
    mutating func restore(_ values: [String: Tensor], stepCount: Int) {
        let names = tensors.map(\.name)
        let count = firstMoments.count
        for i in 0..<count {
            firstMoments[i] = values[names[i]] ?? firstMoments[i]
            secondMoments[i] = values[names[count + i]] ?? secondMoments[i]
        }
        self.stepCount = stepCount
    }
}

extension StochasticGradientDescent.State: RestorableOptimizerState {
    /// `tensors` lists the momentum buffers (none without momentum), in parameter order.
    mutating func restore(_ values: [String: Tensor], stepCount: Int) {
        let names = tensors.map(\.name)
        for i in momentumBuffers.indices { momentumBuffers[i] = values[names[i]] ?? momentumBuffers[i] }
        self.stepCount = stepCount
    }
}
