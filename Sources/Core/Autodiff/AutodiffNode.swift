/// One recorded operation of the gradient tape.
///
/// A node keeps the nodes of its tracked inputs and a closure that maps the gradient of the
/// operation's output to the gradients of its inputs. The closure is written with `Tensor`
/// operations, so when gradients are taken with `createGraph: true` the backward pass is itself
/// recorded and can be differentiated again (double backward, as PyTorch's `create_graph`).
/// The graph lives as long as some tensor refers to it, and is freed with the last such tensor.
final class AutodiffNode: @unchecked Sendable {
    /// Maps the output gradient to one gradient per input (`nil` where `needed[i]` is false).
    typealias Backward = @Sendable (_ gradient: Tensor, _ needed: [Bool]) -> [Tensor?]

    /// The nodes of the inputs, `nil` for untracked inputs.
    private(set) var inputs: [AutodiffNode?]
    /// `nil` for a leaf.
    private(set) var backward: Backward?

    init(inputs: [AutodiffNode?], backward: Backward?) {
        self.inputs = inputs
        self.backward = backward
    }

    /// A node with no inputs: a variable that gradients can be taken with respect to.
    static func leaf() -> AutodiffNode { AutodiffNode(inputs: [], backward: nil) }

    /// Frees the graph below this node with a loop instead of recursive releases, which overflow
    /// the stack on long chains (10⁵ recorded operations, such as a loss summed over many steps).
    ///
    /// A node no one else holds hands its inputs to the loop and drops its `backward` (whose
    /// captured tensors refer only to those same inputs) before it is freed, so each release is shallow.
    deinit {
        guard inputs.contains(where: { $0 != nil }) else { return }
        var pending = inputs.compactMap { $0 }
        inputs = []
        backward = nil
        while var node = pending.popLast() {
            guard isKnownUniquelyReferenced(&node) else { continue }
            pending.append(contentsOf: node.inputs.compactMap { $0 })
            node.inputs = []
            node.backward = nil
        }
    }
}
