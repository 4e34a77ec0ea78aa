public import ScoreKitCore

/// An exponential moving average of a model's parameters, with the warm-up of score_sde and DDPM.
///
/// ```
/// θ̄ ← δ_n·θ̄ + (1 − δ_n)·θ,   δ_n = min(decay, (1 + n)/(10 + n))    (warmup)
///                              δ_n = decay                          (no warmup)
/// ```
/// n = 1, 2, … counts the averages taken, this one included; θ̄ starts as a copy of θ. The
/// warm-up lets the average follow the early, fast-moving parameters (δ₁ = 2/11) and reach the
/// nominal decay after about 10/(1 − decay) updates. Sources: `ExponentialMovingAverage` of
/// score_sde (models/ema.py, after Yang Song's port of TensorFlow's `num_updates` rule); DDPM
/// samples with decay 0.9999, score_sde with 0.999 (NCSN++) or 0.9999.
/// Samples and evaluations use the average; training keeps updating θ. A configuration value,
/// so the Runner's `training:` section can embed it: `ema: { decay: 0.9999, warmup: true }`.
public struct ExponentialMovingAverage: ComponentConfiguration, Equatable {
    /// The nominal decay, in [0, 1).
    public var decay = 0.999
    /// Whether δ_n is capped by (1 + n)/(10 + n).
    public var warmup = true

    public init() {}

    public init(decay: Double, warmup: Bool = true) {
        precondition((0..<1).contains(decay), "EMA decay must be in [0, 1), got \(decay)")
        self.decay = decay
        self.warmup = warmup
    }

    public func validate() throws(ConfigurationError) {
        guard (0..<1).contains(decay) else {
            throw .outOfRange(key: "decay", value: "\(decay)", expected: "a number in [0, 1)")
        }
    }

    /// The average and how many times it has been updated.
    public struct State: Sendable, Equatable {
        /// θ̄, with the parameters' names.
        public var average: ParameterSet
        /// n, the number of updates taken.
        public var updateCount: Int

        /// θ̄ as named tensors for checkpoints (`ema.l1.weight`, …).
        public var tensors: [(name: String, tensor: Tensor)] {
            zip(average.names, average.tensors).map { ("ema.\($0)", $1) }
        }
    }

    /// θ̄ = θ (copied, untracked), n = 0.
    public func initialState(for parameters: ParameterSet) -> State {
        var average = parameters.detached()
        average.tensors = average.tensors.map { $0.copied() }
        return State(average: average, updateCount: 0)
    }

    /// δ_n for the n-th update (n ≥ 1).
    public func decay(forUpdate n: Int) -> Double {
        precondition(n >= 1, "EMA updates count from 1, got \(n)")
        guard warmup else { return decay }
        return Swift.min(decay, Double(1 + n) / Double(10 + n))
    }

    /// One update of `state` toward `parameters`, in place.
    public func update(_ state: inout State, toward parameters: ParameterSet) {
        state.updateCount += 1
        update(&state.average, toward: parameters, decay: decay(forUpdate: state.updateCount))
    }

    /// θ̄ ← δ·θ̄ + (1 − δ)·θ in place (written θ̄ −= (1 − δ)(θ̄ − θ), as score_sde).
    /// - Precondition: the two sets have the same names and shapes.
    public func update(_ average: inout ParameterSet, toward parameters: ParameterSet, decay delta: Double) {
        precondition(
            average.names == parameters.names, "EMA parameters \(average.names) differ from \(parameters.names)")
        let rate = Float(1 - delta)
        for i in average.tensors.indices {
            precondition(
                average.tensors[i].shape == parameters.tensors[i].shape,
                "EMA parameter '\(average.names[i])' has shape \(average.tensors[i].shape), not \(parameters.tensors[i].shape)"
            )
            parameters.tensors[i].withUnsafeBufferPointer { theta in
                average.tensors[i].withUnsafeMutableBufferPointer { bar in
                    for k in 0..<bar.count { bar[k] -= rate * (bar[k] - theta[k]) }
                }
            }
        }
    }
}
