import Foundation
public import ScoreKitCore

// Finite-difference checks of ScoreKit's reverse-mode gradients, for plugin authors who write an
// operation or a loss and want to know that its gradient (and its gradient's gradient) is right.
//
// ```
// let result = checkGradients(
//     of: { x in (silu(x[0]) * x[1]).sum() },
//     at: [a, b], absoluteTolerance: 1e-4, relativeTolerance: 1e-2)
// #expect(result.passed, "\(result)")
// ```

/// The outcome of comparing autodiff gradients with central finite differences, element by element.
///
/// An element passes when, with `a` the autodiff value and `n` the finite difference,
///
/// ```
/// |a − n| ≤ max(absoluteTolerance, relativeTolerance · max(|a|, |n|))
/// ```
///
/// (swift-numerics' `isApproximatelyEqual(to:absoluteTolerance:relativeTolerance:)`); a NaN or
/// infinite value on either side fails. `description` names the worst element, so
/// `#expect(result.passed, "\(result)")` explains a failure by itself.
public struct GradientCheckResult: Sendable, CustomStringConvertible {
    /// One compared element of one input's gradient.
    public struct Element: Sendable, Hashable, CustomStringConvertible {
        /// The position of the input in the `inputs` array.
        public let input: Int
        /// The element's multi-index in that input (row-major), `[]` for a scalar input.
        public let index: [Int]
        /// The gradient from reverse-mode autodiff.
        public let autodiff: Double
        /// The gradient from central finite differences.
        public let finiteDifference: Double

        /// Creates a compared element.
        public init(input: Int, index: [Int], autodiff: Double, finiteDifference: Double) {
            self.input = input
            self.index = index
            self.autodiff = autodiff
            self.finiteDifference = finiteDifference
        }

        /// |autodiff − finite difference|.
        public var absoluteError: Double { Swift.abs(autodiff - finiteDifference) }

        /// |autodiff − finite difference| / max(|autodiff|, |finite difference|); 0 when both are 0.
        public var relativeError: Double {
            let scale = Swift.max(Swift.abs(autodiff), Swift.abs(finiteDifference))
            return scale == 0 ? absoluteError : absoluteError / scale
        }

        /// For example `input 1 [0, 2]: autodiff 0.5123, finite difference 0.5121`.
        public var description: String {
            "input \(input) \(index): autodiff \(formatted(autodiff)), finite difference \(formatted(finiteDifference))"
        }
    }

    /// 1 for `checkGradients`, 2 for `checkSecondOrder`.
    public let order: Int
    /// Whether every element is within tolerance.
    public let passed: Bool
    /// The number of elements compared (the total element count of the inputs).
    public let checkedCount: Int
    /// The number of elements outside tolerance.
    public let failureCount: Int
    /// The largest |autodiff − finite difference| over all elements (NaN when a value is NaN).
    public let maxAbsoluteError: Double
    /// The largest relative error over all elements (see `Element.relativeError`).
    public let maxRelativeError: Double
    /// The element whose error is largest relative to the error it is allowed (the worst failure,
    /// or the closest to failing when all pass). `nil` only when there were no elements.
    public let worst: Element?
    /// Every compared element, input by input in row-major order.
    public let elements: [Element]
    /// The absolute tolerance the check used.
    public let absoluteTolerance: Float
    /// The relative tolerance the check used.
    public let relativeTolerance: Float
    /// The finite-difference step the check used (before scaling by max(1, |x|)).
    public let step: Double

    /// Creates a result from compared elements and tolerances.
    public init(
        order: Int, elements: [Element], absoluteTolerance: Float, relativeTolerance: Float, step: Double
    ) {
        self.order = order
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
        self.step = step
        self.elements = elements
        checkedCount = elements.count
        var failures = 0
        var maxAbsolute = 0.0
        var maxRelative = 0.0
        var worst: Element? = nil
        var worstRatio = -Double.infinity
        for element in elements {
            let ratio = GradientCheckResult.errorRatio(
                element, absoluteTolerance: Double(absoluteTolerance), relativeTolerance: Double(relativeTolerance))
            if !(ratio <= 1) { failures += 1 }
            maxAbsolute = largest(maxAbsolute, element.absoluteError)
            maxRelative = largest(maxRelative, element.relativeError)
            if worst == nil || ratio > worstRatio {
                worst = element
                worstRatio = ratio
            }
        }
        failureCount = failures
        maxAbsoluteError = maxAbsolute
        maxRelativeError = maxRelative
        self.worst = worst
        passed = failures == 0
    }

    /// The element's error divided by the error it is allowed: > 1 fails; ∞ when a value is not finite.
    static func errorRatio(_ element: Element, absoluteTolerance: Double, relativeTolerance: Double) -> Double {
        guard element.autodiff.isFinite, element.finiteDifference.isFinite else { return .infinity }
        let scale = Swift.max(Swift.abs(element.autodiff), Swift.abs(element.finiteDifference))
        let allowed = Swift.max(absoluteTolerance, relativeTolerance * scale)
        let error = element.absoluteError
        if allowed == 0 { return error == 0 ? 0 : .infinity }
        return error / allowed
    }

    /// One line: verdict, element count, the largest errors, the tolerances and the worst element.
    public var description: String {
        let what = order == 1 ? "gradient check" : "second-order gradient check"
        let verdict = passed ? "passed" : "FAILED (\(failureCount) of \(checkedCount) elements outside tolerance)"
        var text =
            "\(what) \(verdict): \(checkedCount) elements, max abs error \(formatted(maxAbsoluteError)), "
            + "max rel error \(formatted(maxRelativeError)) (tolerances abs \(formatted(Double(absoluteTolerance))), "
            + "rel \(formatted(Double(relativeTolerance))), step \(formatted(step)))"
        if let worst { text += "; worst \(worst)" }
        return text
    }
}

/// Checks the reverse-mode gradient of `f` at `inputs` against central finite differences.
///
/// The checked quantity is the gradient of the scalar `L(x) = Σₖ seedₖ·f(x)ₖ` with respect to
/// every element of every input, the vector–Jacobian product `gradients(of:wrt:seed:)` returns.
/// For each element `xⱼ` the finite difference is
///
/// ```
/// (L(x + h·eⱼ) − L(x − h·eⱼ)) / (x⁺ⱼ − x⁻ⱼ),   h = step · max(1, |xⱼ|)
/// ```
///
/// where `x⁺ⱼ`, `x⁻ⱼ` are `xⱼ ± h` rounded to Float32, so the denominator is the step actually
/// taken. `f` runs in Float32 on untracked inputs, with recording on so that a loss which takes
/// gradients inside itself (score matching) works; the weighted sum `L` and the difference are
/// computed in Double, so the only Float32 error is the one in `f`'s own values, about
/// `ε·|f|/h` with `ε = 6e-8`. A step near 1e-3 balances that against the `h²·f'''` truncation
/// error for functions of moderate size; keep inputs at least a few steps away from kinks (`abs`
/// at 0, `clamp` at its bounds, ties in `max`), where finite differences are meaningless.
///
/// - Parameters:
///   - f: the function; it receives tensors of the inputs' shapes and must be deterministic.
///   - inputs: the point, one tensor per argument (tracking is ignored).
///   - seed: the weights of `f`'s output elements, of `f`'s output shape. `nil` uses fixed,
///     non-constant weights in [0.5, 1.5), so that transposed or permuted gradients cannot pass
///     as they could with a seed of ones.
///   - step: the relative finite-difference step `h / max(1, |x|)`.
///   - absoluteTolerance: the error always allowed, for gradients near 0.
///   - relativeTolerance: the error allowed relative to the gradient's magnitude.
/// - Returns: the comparison; `passed` is false when any element is outside tolerance.
public func checkGradients(
    of f: ([Tensor]) -> Tensor,
    at inputs: [Tensor],
    seed: Tensor? = nil,
    step: Double = 1e-3,
    absoluteTolerance: Float,
    relativeTolerance: Float
) -> GradientCheckResult {
    precondition(!inputs.isEmpty, "checkGradients needs at least one input")
    precondition(step > 0, "checkGradients needs a positive step, got \(step)")
    let points = inputs.map { $0.detached() }
    let outputShape = Autodiff.withRecording { f(points).shape }
    let weights = GradientCheck.weights(seed, shape: outputShape, salt: 0)

    let analytic: [Tensor] = Autodiff.withRecording {
        let tracked = points.map { $0.tracked() }
        let output = f(tracked)
        precondition(output.shape == outputShape, "f's output shape changed from \(outputShape) to \(output.shape)")
        guard output.isTracked else { return points.map { Tensor.zeros($0.shape) } }
        return gradients(of: output, wrt: tracked, seed: Tensor(weights.map(Float.init), shape: outputShape))
    }

    let elements = GradientCheck.compare(analytic: analytic, at: points, step: step) { perturbed in
        let output = Autodiff.withRecording { f(perturbed) }
        precondition(output.shape == outputShape, "f's output shape changed from \(outputShape) to \(output.shape)")
        return GradientCheck.dot(weights, output)
    }
    return GradientCheckResult(
        order: 1, elements: elements, absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance,
        step: step)
}

/// `checkGradients(of:at:seed:step:absoluteTolerance:relativeTolerance:)` for a function of one tensor.
public func checkGradients(
    of f: (Tensor) -> Tensor,
    at input: Tensor,
    seed: Tensor? = nil,
    step: Double = 1e-3,
    absoluteTolerance: Float,
    relativeTolerance: Float
) -> GradientCheckResult {
    checkGradients(
        of: { f($0[0]) }, at: [input], seed: seed, step: step, absoluteTolerance: absoluteTolerance,
        relativeTolerance: relativeTolerance)
}

/// Checks double backward: the gradient of a scalar function of `f`'s gradient, taken through
/// `createGraph: true`, against finite differences of the first-order autodiff gradient.
///
/// With `g(x) = ∇ₓ Σₖ seedₖ·f(x)ₖ` (one gradient per input) and directions `v`, the checked
/// function is
///
/// ```
/// h(x) = Σᵢ ⟨vᵢ, gᵢ(x)⟩        ∇h = H·v   (H the Hessian of Σ seed·f)
/// ```
///
/// Autodiff computes `g` with `createGraph: true`, forms `h` from it with tensor operations and
/// differentiates `h` again, as sliced score matching does with `vᵀ∇ₓ(vᵀs(x))`. The reference
/// differentiates `h` by central differences, where each evaluation of `h` takes the first-order
/// gradient with `createGraph: false` (so a first-order error shows here too: run `checkGradients`
/// first). Differences and sums are in Double, as in `checkGradients`; since `g` is itself a
/// Float32 result of a backward pass, expect somewhat looser tolerances than at first order.
///
/// - Parameters:
///   - f: the function; it receives tensors of the inputs' shapes and must be deterministic.
///   - inputs: the point, one tensor per argument (tracking is ignored).
///   - directions: `v`, one tensor per input with that input's shape. `nil` uses fixed,
///     non-constant weights in [0.5, 1.5).
///   - seed: the weights of `f`'s output elements, as in `checkGradients`; `nil` uses fixed weights.
///   - step: the relative finite-difference step `h / max(1, |x|)`.
///   - absoluteTolerance: the error always allowed, for second derivatives near 0.
///   - relativeTolerance: the error allowed relative to the second derivative's magnitude.
/// - Returns: the comparison of `∇h` element by element; `order` is 2.
public func checkSecondOrder(
    of f: ([Tensor]) -> Tensor,
    at inputs: [Tensor],
    directions: [Tensor]? = nil,
    seed: Tensor? = nil,
    step: Double = 1e-3,
    absoluteTolerance: Float,
    relativeTolerance: Float
) -> GradientCheckResult {
    precondition(!inputs.isEmpty, "checkSecondOrder needs at least one input")
    precondition(step > 0, "checkSecondOrder needs a positive step, got \(step)")
    let points = inputs.map { $0.detached() }
    let outputShape = Autodiff.withRecording { f(points).shape }
    let seedTensor = Tensor(
        GradientCheck.weights(seed, shape: outputShape, salt: 0).map(Float.init), shape: outputShape)
    if let directions {
        precondition(directions.count == points.count, "\(directions.count) directions for \(points.count) inputs")
        for (i, (v, x)) in zip(directions, points).enumerated() {
            precondition(v.shape == x.shape, "direction \(i) has shape \(v.shape), input \(i) has \(x.shape)")
        }
    }
    let v: [[Double]] = points.enumerated().map { i, x in
        GradientCheck.weights(directions?[i], shape: x.shape, salt: UInt64(i) + 1)
    }
    let vTensors = zip(v, points).map { Tensor($0.0.map(Float.init), shape: $0.1.shape) }

    let analytic: [Tensor] = Autodiff.withRecording {
        let tracked = points.map { $0.tracked() }
        let output = f(tracked)
        precondition(output.shape == outputShape, "f's output shape changed from \(outputShape) to \(output.shape)")
        guard output.isTracked else { return points.map { Tensor.zeros($0.shape) } }
        let first = gradients(of: output, wrt: tracked, seed: seedTensor, createGraph: true)
        var h = (first[0] * vTensors[0]).sum()
        for i in first.indices.dropFirst() { h = h + (first[i] * vTensors[i]).sum() }
        guard h.isTracked else { return points.map { Tensor.zeros($0.shape) } }
        return gradients(of: h, wrt: tracked)
    }

    let elements = GradientCheck.compare(analytic: analytic, at: points, step: step) { perturbed in
        let first: [Tensor] = Autodiff.withRecording {
            let tracked = perturbed.map { $0.tracked() }
            let output = f(tracked)
            guard output.isTracked else { return perturbed.map { Tensor.zeros($0.shape) } }
            return gradients(of: output, wrt: tracked, seed: seedTensor)
        }
        var h = 0.0
        for (g, vi) in zip(first, v) { h += GradientCheck.dot(vi, g) }
        return h
    }
    return GradientCheckResult(
        order: 2, elements: elements, absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance,
        step: step)
}

/// `checkSecondOrder(of:at:directions:seed:step:absoluteTolerance:relativeTolerance:)` for a
/// function of one tensor.
public func checkSecondOrder(
    of f: (Tensor) -> Tensor,
    at input: Tensor,
    direction: Tensor? = nil,
    seed: Tensor? = nil,
    step: Double = 1e-3,
    absoluteTolerance: Float,
    relativeTolerance: Float
) -> GradientCheckResult {
    checkSecondOrder(
        of: { f($0[0]) }, at: [input], directions: direction.map { [$0] }, seed: seed, step: step,
        absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
}

/// The shared machinery of the checks.
private enum GradientCheck {
    /// `given`'s values in Double, or fixed weights in [0.5, 1.5) when `given` is nil: a Weyl
    /// sequence `0.5 + frac((k + 1)·φ⁻¹ + salt·√2)`, non-constant so that index mix-ups show.
    static func weights(_ given: Tensor?, shape: [Int], salt: UInt64) -> [Double] {
        if let given {
            precondition(given.shape == shape, "seed shape \(given.shape) differs from the output shape \(shape)")
            return given.scalars.map(Double.init)
        }
        let count = Tensor.elementCount(of: shape)
        let phase = Double(salt) * 2.0.squareRoot()
        return (0..<count).map { k in
            let t = Double(k + 1) * 0.618_033_988_749_894_8 + phase
            return 0.5 + (t - t.rounded(.down))
        }
    }

    /// Σₖ wₖ·yₖ in Double.
    static func dot(_ w: [Double], _ y: Tensor) -> Double {
        precondition(w.count == y.scalarCount, "\(w.count) weights for \(y.scalarCount) values")
        return y.withUnsafeBufferPointer { values in
            var sum = 0.0
            for k in values.indices { sum += w[k] * Double(values[k]) }
            return sum
        }
    }

    /// Central differences of `scalar` at every element of every input, paired with `analytic`.
    static func compare(
        analytic: [Tensor], at points: [Tensor], step: Double, _ scalar: ([Tensor]) -> Double
    ) -> [GradientCheckResult.Element] {
        var elements: [GradientCheckResult.Element] = []
        for (i, point) in points.enumerated() {
            precondition(
                analytic[i].shape == point.shape,
                "autodiff gradient \(i) has shape \(analytic[i].shape), input has \(point.shape)")
            let base = point.scalars
            let gradient = analytic[i].scalars
            var perturbed = points
            for j in base.indices {
                let x = Double(base[j])
                let h = step * Swift.max(1, Swift.abs(x))
                let plus = Float(x + h)
                let minus = Float(x - h)
                var values = base
                values[j] = plus
                perturbed[i] = Tensor(values, shape: point.shape)
                let fPlus = scalar(perturbed)
                values[j] = minus
                perturbed[i] = Tensor(values, shape: point.shape)
                let fMinus = scalar(perturbed)
                let numeric = (fPlus - fMinus) / (Double(plus) - Double(minus))
                elements.append(
                    GradientCheckResult.Element(
                        input: i, index: multiIndex(j, shape: point.shape), autodiff: Double(gradient[j]),
                        finiteDifference: numeric))
            }
        }
        return elements
    }

    /// The row-major multi-index of flat index `flat` in `shape`.
    static func multiIndex(_ flat: Int, shape: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: shape.count)
        var rest = flat
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }
}

/// The larger of two errors; NaN when either is NaN.
private func largest(_ a: Double, _ b: Double) -> Double {
    a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
}

/// Four significant digits, for result descriptions.
private func formatted(_ value: Double) -> String {
    String(format: "%.4g", value)
}
