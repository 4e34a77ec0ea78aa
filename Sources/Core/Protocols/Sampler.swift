import Synchronization

/// Moves a sample backward in time, from the prior (largest t) toward data (smallest t).
///
/// Conformers are immutable; anything that changes during a run lives in `State` (diffrax's
/// `solver_state`), so one sampler value serves many concurrent runs. The loop is written once,
/// in `runSampler(_:process:times:initial:noise:observe:)`; a sampler implements one step, which may
/// call the process several times (Heun) or keep multistep memory in `State` (DPM-Solver++ 2M).
public protocol Sampler: Sendable {
    /// Per-run memory, such as the previous denoised estimate; `Void` for one-step methods.
    associatedtype State: Sendable = Void

    /// Order of accuracy on the probability-flow ODE (`nil` if stochastic); the suite measures it.
    var order: Int? { get }

    /// The state for the first step of a run.
    func initialState(for problem: SamplingProblem) -> State

    /// Advances `sample` from `step.start` to `step.end`.
    func step(
        _ sample: Tensor,
        over step: TimeStep,
        state: inout State,
        process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor

    /// The model evaluations a run of `stepCount` steps makes on a grid whose times are all > 0
    /// (Heun: 2N; on EDM's grid, whose last step goes to σ = 0, 2N − 1: see `evaluationCount(forTimes:)`).
    func evaluationCount(forStepCount stepCount: Int) -> Int

    /// The model evaluations a run over `times` makes, exactly.
    ///
    /// The default counts a last step to t = 0, the final denoising step (x ← x̂₀(x, t), one
    /// evaluation), as one, and every other step as `evaluationCount(forStepCount:)` does.
    /// Samplers whose step to t = 0 costs more (a corrector before it) implement this.
    func evaluationCount(forTimes times: [Double]) -> Int
}

extension Sampler where State == Void {
    public func initialState(for problem: SamplingProblem) {}
}

extension Sampler {
    public func evaluationCount(forStepCount stepCount: Int) -> Int { stepCount }

    public func evaluationCount(forTimes times: [Double]) -> Int {
        let stepCount = Swift.max(times.count - 1, 0)
        guard stepCount > 0, times.last == 0 else { return evaluationCount(forStepCount: stepCount) }
        return evaluationCount(forStepCount: stepCount - 1) + 1
    }
}

/// The shape of a sampling run.
public struct SamplingProblem: Sendable, Equatable {
    /// The shape of the whole batch, `[N, …]`.
    public var shape: [Int]
    /// The time grid, decreasing.
    public var times: [Double]

    public init(shape: [Int], times: [Double]) {
        self.shape = shape
        self.times = times
    }
}

/// Progress of a sampling run, for progress bars and trajectory recording.
public enum SamplingEvent: Sendable {
    /// A step finished: the sample at `time`, after `index + 1` of `count` steps.
    case stepFinished(index: Int, count: Int, time: Double, sample: Tensor)
}

/// The result of a sampling run.
public struct SamplingOutcome: Sendable {
    /// The final samples.
    public var samples: Tensor
    /// The exact number of model evaluations the run made.
    public var evaluationCount: Int
    /// Metropolis–Hastings proposals and acceptances, for a sampler whose state counts them
    /// (`AcceptanceCounting`, such as MALA's); `nil` for every other sampler.
    public var acceptance: AcceptanceCounts? = nil
}

/// Runs `sampler` over `times` (decreasing) from `initial`, counting model evaluations exactly
/// and failing with the step and time where values stop being finite.
///
/// Recording is off inside: sampling never builds a gradient graph.
public func runSampler<S: Sampler, P: ReverseProcess, N: NoiseSource>(
    _ sampler: S, process: P, times: [Double], initial: Tensor, noise: inout N,
    observe: (SamplingEvent) -> Void = { _ in }
) throws(SamplingError) -> SamplingOutcome {
    guard times.count >= 2 else { throw .invalidTimeGrid(reason: "a run needs at least 2 times, got \(times.count)") }
    for i in 1..<times.count where !(times[i] < times[i - 1]) {
        throw .invalidTimeGrid(
            reason: "times must decrease; t[\(i)] = \(times[i]) follows t[\(i - 1)] = \(times[i - 1])")
    }
    let counted = CountingProcess(base: process)
    var state = sampler.initialState(for: SamplingProblem(shape: initial.shape, times: times))
    var x = initial.detached()
    let count = times.count - 1
    let name = String(describing: S.self)
    try Autodiff.withoutRecording { () throws(SamplingError) in
        for i in 0..<count {
            let step = TimeStep(start: times[i], end: times[i + 1], index: i, count: count)
            x = try sampler.step(x, over: step, state: &state, process: counted, noise: &noise)
            guard x.isFinite else { throw .nonFinite(sampler: name, step: i, stepCount: count, time: step.end) }
            observe(.stepFinished(index: i, count: count, time: step.end, sample: x))
        }
    }
    return SamplingOutcome(
        samples: x, evaluationCount: counted.evaluationCount, acceptance: (state as? any AcceptanceCounting)?.acceptance
    )
}

/// A reverse process that counts its model evaluations (shared across copies).
public struct CountingProcess<Base: ReverseProcess>: ReverseProcess {
    public let base: Base
    let counter: Counter

    public init(base: Base) {
        self.base = base
        counter = Counter()
    }

    private init(base: Base, counter: Counter) {
        self.base = base
        self.counter = counter
    }

    /// The base restricted to `rows`, counting into the same counter.
    public func restricted(toRows rows: [Int]) -> CountingProcess? {
        base.restricted(toRows: rows).map { CountingProcess(base: $0, counter: counter) }
    }

    public var sde: Base.SDE { base.sde }

    public func denoised(_ x: Tensor, at time: Double) -> Tensor {
        counter.increment()
        return base.denoised(x, at: time)
    }

    public func denoised(_ x: Tensor, at times: [Double]) -> Tensor {
        counter.increment()
        return base.denoised(x, at: times)
    }

    public func denoisedAndNoise(_ x: Tensor, at time: Double) -> (denoised: Tensor, noise: Tensor) {
        counter.increment()
        return base.denoisedAndNoise(x, at: time)
    }

    /// Evaluations so far.
    public var evaluationCount: Int { counter.value }

    final class Counter: Sendable {
        private let count = Atomic<Int>(0)
        func increment() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }
}

extension Tensor {
    /// Whether every element is finite (no NaN or ±∞).
    public var isFinite: Bool {
        withUnsafeBufferPointer { buffer in
            var bad: Float = 0
            for v in buffer { bad += v - v }  // NaN for NaN and ±∞, 0 otherwise
            return bad == 0
        }
    }
}
