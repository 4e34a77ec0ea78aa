/// Updates parameters from their gradients: SGD, Adam, AdamW, ….
///
/// The optimizer value is immutable configuration; its moments live in `State`, owned by the
/// training loop and saved in checkpoints (as optax's `init`/`update` split).
public protocol Optimizer: Sendable {
    /// Per-run memory (moment estimates, step count).
    associatedtype State: OptimizerState

    /// Fresh state for `parameters`.
    func initialState(for parameters: ParameterSet) -> State

    /// Applies one update in place with learning rate `learningRate`.
    func update(_ parameters: inout ParameterSet, gradients: [Tensor], state: inout State, learningRate: Double)
}

/// Optimizer state that can be written to and read from a checkpoint as named tensors.
public protocol OptimizerState: Sendable {
    /// The state as named tensors (for example `adam.m.l1.weight`) and a step count.
    var tensors: [(name: String, tensor: Tensor)] { get }
    /// The number of updates applied.
    var stepCount: Int { get }
}

/// Builds a model for a data shape: the registered form of a network, whose configuration
/// alone does not fix the sizes of its parameters.
public protocol NetworkArchitecture: Sendable {
    /// A model with freshly initialised parameters for samples of shape `sampleShape`
    /// (without the batch axis), `classCount` labels (0: unconditional), drawn from `seed`.
    func makeModel(sampleShape: [Int], classCount: Int, seed: UInt64) -> any TrainableModel

    /// The sizes `makeModel` would give, computed without building it, so that a recipe whose
    /// network does not fit in memory is refused before anything is allocated; `nil` (the
    /// default) when the architecture cannot tell.
    func footprint(sampleShape: [Int], classCount: Int) -> NetworkFootprint?
}

extension NetworkArchitecture {
    /// Unknown: the memory estimate leaves the network out.
    public func footprint(sampleShape: [Int], classCount: Int) -> NetworkFootprint? { nil }
}

/// What a network holds, known from its architecture and the data shape alone.
public struct NetworkFootprint: Sendable, Equatable {
    /// Trainable values: weights, biases, embeddings.
    public var parameterCount: Double
    /// Values one row keeps for the backward pass (activations and their gradients), an upper
    /// estimate; sampling keeps fewer.
    public var activationsPerRow: Double

    public init(parameterCount: Double, activationsPerRow: Double) {
        self.parameterCount = parameterCount
        self.activationsPerRow = activationsPerRow
    }
}

/// A network that only takes images `[C, H, W]` (a U-Net), so that a recipe pairing it with
/// vector data, or with images it cannot take, is refused before a run starts.
///
/// A refinement, not a flag: the Runner asks `network as? any ImageNetworkArchitecture`
/// (STYLE.md §4). Networks on flat rows (MLPs) take any shape through its product.
public protocol ImageNetworkArchitecture: NetworkArchitecture {
    /// Why the network cannot take images of `shape` `[C, H, W]` (such as "H and W must be
    /// divisible by 4"), or `nil` when it can; `makeModel` may assume the answer was `nil`.
    func problem(withImageShape shape: [Int]) -> String?
}
