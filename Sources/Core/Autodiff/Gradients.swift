/// Gradients of `output` with respect to each of `inputs`, by reverse-mode differentiation.
///
/// ```
/// ∂(seedᵀ·output)/∂inputᵢ      (seed = 1 for a scalar output: the plain gradient)
/// ```
/// With a `seed` of the output's shape this is the vector–Jacobian product `seedᵀ·J`, which
/// gives divergences (with one-hot or Hutchinson seeds) and scores of energies.
///
/// With `createGraph: true` the backward pass is recorded too, so the returned gradients are
/// tracked and can be differentiated again: `vᵀ∇ₓ(vᵀ s_θ(x))` for sliced score matching, or
/// f'' for a scalar f. With `false` (the default) they are plain values and the pass records nothing.
///
/// An input the output does not depend on gets a zero gradient.
/// - Precondition: `output` and every input are tracked; `seed` has the output's shape.
public func gradients(
    of output: Tensor, wrt inputs: [Tensor], seed: Tensor? = nil, createGraph: Bool = false
) -> [Tensor] {
    precondition(output.isTracked, "gradients(of:) needs a tracked output; track an input with tracked()")
    for (i, input) in inputs.enumerated() {
        precondition(input.isTracked, "gradients(wrt:) input \(i) with shape \(input.shape) is not tracked")
    }
    if let seed {
        precondition(seed.shape == output.shape, "seed shape \(seed.shape) differs from output shape \(output.shape)")
    }
    let start = seed?.detached() ?? Tensor.ones(output.shape)
    if createGraph {
        return Autodiff.withRecording { backpropagate(output, inputs, start) }
    }
    return Autodiff.withoutRecording { backpropagate(output, inputs, start) }
}

/// The gradient of a scalar `output` with respect to one input.
public func gradient(of output: Tensor, wrt input: Tensor, createGraph: Bool = false) -> Tensor {
    gradients(of: output, wrt: [input], createGraph: createGraph)[0]
}

/// The value of `f(x)` and its gradient with respect to `x` (x need not be tracked).
public func valueWithGradient(at x: Tensor, of f: (Tensor) -> Tensor) -> (value: Tensor, gradient: Tensor) {
    let input = x.tracked()
    let value = Autodiff.withRecording { f(input) }
    guard value.isTracked else { return (value, Tensor.zeros(x.shape)) }
    return (value.detached(), gradient(of: value, wrt: input))
}

/// Walks the graph below `output` once, in reverse topological order, and accumulates gradients.
private func backpropagate(_ output: Tensor, _ inputs: [Tensor], _ seed: Tensor) -> [Tensor] {
    guard let root = output.node else { return inputs.map { Tensor.zeros($0.shape) } }
    let targets = Set(inputs.compactMap { $0.node.map(ObjectIdentifier.init) })

    // Post-order (inputs before consumers), iteratively; `needed` marks nodes that reach a target.
    var order: [AutodiffNode] = []
    var needed: [ObjectIdentifier: Bool] = [:]
    var stack: [(node: AutodiffNode, next: Int)] = [(root, 0)]
    var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
    while let (node, next) = stack.last {
        if next < node.inputs.count {
            stack[stack.count - 1].next += 1
            if let child = node.inputs[next], visited.insert(ObjectIdentifier(child)).inserted {
                stack.append((child, 0))
            }
        } else {
            stack.removeLast()
            let id = ObjectIdentifier(node)
            needed[id] =
                targets.contains(id)
                || node.inputs.contains { $0.map { needed[ObjectIdentifier($0)] ?? false } ?? false }
            order.append(node)
        }
    }

    var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
    for node in order.reversed() {
        let id = ObjectIdentifier(node)
        guard let grad = grads[id], let backward = node.backward else { continue }
        if !targets.contains(id) { grads[id] = nil }
        let mask = node.inputs.map { $0.map { needed[ObjectIdentifier($0)] ?? false } ?? false }
        guard mask.contains(true) else { continue }
        let inputGrads = backward(grad, mask)
        for (i, child) in node.inputs.enumerated() where mask[i] {
            guard let child, let g = inputGrads[i] else { continue }
            let childID = ObjectIdentifier(child)
            if let existing = grads[childID] {
                grads[childID] = existing + g
            } else {
                grads[childID] = g
            }
        }
    }
    return inputs.map { input in grads[ObjectIdentifier(input.node!)] ?? Tensor.zeros(input.shape) }
}
