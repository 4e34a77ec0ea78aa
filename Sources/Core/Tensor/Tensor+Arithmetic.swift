/// Elementwise arithmetic with NumPy broadcasting; gradients sum over broadcast dimensions.
extension Tensor {
    /// `lhs + rhs`, broadcast.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        let (sa, sb) = (lhs.shape, rhs.shape)
        return Autodiff.binary(lhs, rhs, result: combining(lhs, rhs, Elementwise.Add())) { g, needA, needB in
            (needA ? g.reduced(toShape: sa) : nil, needB ? g.reduced(toShape: sb) : nil)
        }
    }

    /// `lhs − rhs`, broadcast.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        let (sa, sb) = (lhs.shape, rhs.shape)
        return Autodiff.binary(lhs, rhs, result: combining(lhs, rhs, Elementwise.Subtract())) { g, needA, needB in
            (needA ? g.reduced(toShape: sa) : nil, needB ? (-g).reduced(toShape: sb) : nil)
        }
    }

    /// `lhs · rhs` elementwise, broadcast.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        Autodiff.binary(lhs, rhs, result: combining(lhs, rhs, Elementwise.Multiply())) { g, needA, needB in
            (needA ? (g * rhs).reduced(toShape: lhs.shape) : nil, needB ? (g * lhs).reduced(toShape: rhs.shape) : nil)
        }
    }

    /// `lhs / rhs` elementwise, broadcast.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        Autodiff.binary(lhs, rhs, result: combining(lhs, rhs, Elementwise.Divide())) { g, needA, needB in
            let ga = needA ? (g / rhs).reduced(toShape: lhs.shape) : nil
            let gb = needB ? (-(g * lhs) / (rhs * rhs)).reduced(toShape: rhs.shape) : nil
            return (ga, gb)
        }
    }

    /// `−x`.
    public static prefix func - (x: Tensor) -> Tensor {
        Autodiff.unary(x, result: x.applying(Elementwise.Negate())) { g in -g }
    }

    /// `x + s` for a scalar s.
    public static func + (x: Tensor, s: Float) -> Tensor {
        Autodiff.unary(x, result: x.applying(Elementwise.AddScalar(value: s))) { g in g }
    }

    /// `s + x` for a scalar s.
    public static func + (s: Float, x: Tensor) -> Tensor { x + s }

    /// `x − s` for a scalar s.
    public static func - (x: Tensor, s: Float) -> Tensor { x + (-s) }

    /// `s − x` for a scalar s.
    public static func - (s: Float, x: Tensor) -> Tensor {
        Autodiff.unary(x, result: x.applying(Elementwise.SubtractFromScalar(value: s))) { g in -g }
    }

    /// `x · s` for a scalar s.
    public static func * (x: Tensor, s: Float) -> Tensor {
        Autodiff.unary(x, result: x.applying(Elementwise.MultiplyScalar(value: s))) { g in g * s }
    }

    /// `s · x` for a scalar s.
    public static func * (s: Float, x: Tensor) -> Tensor { x * s }

    /// `x / s` for a scalar s.
    public static func / (x: Tensor, s: Float) -> Tensor { x * (1 / s) }

    /// `s / x` for a scalar s.
    public static func / (s: Float, x: Tensor) -> Tensor {
        Autodiff.unary(x, result: x.applying(Elementwise.DivideScalarBy(value: s))) { g in -(g * s) / (x * x) }
    }

    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
    public static func *= (lhs: inout Tensor, rhs: Float) { lhs = lhs * rhs }

    /// Σ over the dimensions broadcasting `target` to this shape repeats, so that the result has
    /// shape `target`: the gradient of a broadcast. Differentiable (its gradient broadcasts back).
    public func reduced(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let source = shape
        return Autodiff.unary(self, result: reducedValues(toShape: target)) { g in g.broadcasted(to: source) }
    }

    /// The values repeated along broadcast dimensions to `target` (NumPy's `broadcast_to`, copied).
    public func broadcasted(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let source = shape
        return Autodiff.unary(self, result: broadcastValues(to: target)) { g in g.reduced(toShape: source) }
    }

    /// The elementwise maximum of two tensors, broadcast; the gradient goes to the larger (to `lhs` on ties).
    public static func maximum(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        let result = combining(lhs, rhs, Elementwise.Maximum())
        return Autodiff.binary(lhs, rhs, result: result) { g, needA, needB in
            let mask = combining(lhs, rhs, Elementwise.GreaterOrEqual())
            return (
                needA ? (g * mask).reduced(toShape: lhs.shape) : nil,
                needB ? (g * (1 - mask)).reduced(toShape: rhs.shape) : nil
            )
        }
    }

    /// The elementwise minimum of two tensors, broadcast; the gradient goes to the smaller (to `lhs` on ties).
    public static func minimum(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        -maximum(-lhs, -rhs)
    }
}

/// Elements of `a` where `condition` is non-zero, of `b` elsewhere; all three broadcast together
/// (NumPy's `where`). The condition carries no gradient.
public func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    let shape = BroadcastPlan.shape(BroadcastPlan.shape(condition.shape, a.shape), b.shape)
    let mask = condition.broadcastValues(to: shape).applying(NonZero())
    let av = a.broadcastValues(to: shape)
    let bv = b.broadcastValues(to: shape)
    let result = Tensor(shape: shape) { out in
        let m = mask.storage.base
        let pa = av.storage.base
        let pb = bv.storage.base
        for i in 0..<out.count { out[i] = m[i] != 0 ? pa[i] : pb[i] }
    }
    return Autodiff.binary(a, b, result: result) { g, needA, needB in
        (
            needA ? (g * mask).reduced(toShape: a.shape) : nil,
            needB ? (g * (1 - mask)).reduced(toShape: b.shape) : nil
        )
    }
}

private struct NonZero: UnaryElementwise {
    func callAsFunction(_ x: Float) -> Float { x != 0 ? 1 : 0 }
}
