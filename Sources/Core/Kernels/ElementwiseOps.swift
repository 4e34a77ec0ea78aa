import Foundation

/// A scalar function applied to every element. Conformers are small structs whose
/// `callAsFunction` inlines into the kernel loop, so the loop vectorises (no closure, no existential).
protocol UnaryElementwise {
    /// Whether the function is costly enough (exp, libm) to split large tensors across threads.
    static var isExpensive: Bool { get }
    func callAsFunction(_ x: Float) -> Float
}

extension UnaryElementwise {
    static var isExpensive: Bool { false }
}

/// A scalar function of two elements.
protocol BinaryElementwise {
    func callAsFunction(_ a: Float, _ b: Float) -> Float
}

/// The element functions of Tensor's operations.
enum Elementwise {
    struct Negate: UnaryElementwise { func callAsFunction(_ x: Float) -> Float { -x } }
    struct Square: UnaryElementwise { func callAsFunction(_ x: Float) -> Float { x * x } }
    struct AbsoluteValue: UnaryElementwise { func callAsFunction(_ x: Float) -> Float { Swift.abs(x) } }
    struct Sign: UnaryElementwise {
        func callAsFunction(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
    }
    struct SquareRoot: UnaryElementwise { func callAsFunction(_ x: Float) -> Float { x.squareRoot() } }
    struct Reciprocal: UnaryElementwise { func callAsFunction(_ x: Float) -> Float { 1 / x } }
    struct Exp: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { FastMath.exp(x) }
    }
    struct Log: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { Foundation.log(x) }
    }
    struct Sine: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { Foundation.sin(x) }
    }
    struct Cosine: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { Foundation.cos(x) }
    }
    struct HyperbolicTangent: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { Foundation.tanh(x) }
    }
    struct Sigmoid: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { FastMath.sigmoid(x) }
    }
    struct SiLU: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { FastMath.silu(x) }
    }
    struct SiLUDerivative: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { FastMath.siluDerivative(x) }
    }
    struct SiLUSecondDerivative: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { FastMath.siluSecondDerivative(x) }
    }
    /// log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|) so that it never overflows.
    struct Softplus: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { Swift.max(x, 0) + Foundation.log1p(FastMath.exp(-Swift.abs(x))) }
    }
    /// The standard normal CDF Φ(x) = ½(1 + erf(x/√2)).
    struct NormalCDF: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { 0.5 * (1 + Foundation.erf(x * 0.707_106_781_2)) }
    }
    /// The standard normal density φ(x).
    struct NormalPDF: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { 0.398_942_280_4 * FastMath.exp(-0.5 * x * x) }
    }
    /// x·Φ(x), the exact (erf) GELU of Hendrycks & Gimpel (2016), PyTorch's default.
    struct GELU: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float { x * 0.5 * (1 + Foundation.erf(x * 0.707_106_781_2)) }
    }
    /// d/dx GELU = Φ(x) + x·φ(x).
    struct GELUDerivative: UnaryElementwise {
        static var isExpensive: Bool { true }
        func callAsFunction(_ x: Float) -> Float {
            0.5 * (1 + Foundation.erf(x * 0.707_106_781_2)) + x * 0.398_942_280_4 * FastMath.exp(-0.5 * x * x)
        }
    }
    struct Power: UnaryElementwise {
        static var isExpensive: Bool { true }
        let exponent: Float
        func callAsFunction(_ x: Float) -> Float { Foundation.pow(x, exponent) }
    }
    struct AddScalar: UnaryElementwise {
        let value: Float
        func callAsFunction(_ x: Float) -> Float { x + value }
    }
    struct MultiplyScalar: UnaryElementwise {
        let value: Float
        func callAsFunction(_ x: Float) -> Float { x * value }
    }
    /// `value − x`.
    struct SubtractFromScalar: UnaryElementwise {
        let value: Float
        func callAsFunction(_ x: Float) -> Float { value - x }
    }
    /// `value / x`.
    struct DivideScalarBy: UnaryElementwise {
        let value: Float
        func callAsFunction(_ x: Float) -> Float { value / x }
    }
    struct Clamp: UnaryElementwise {
        let lower: Float
        let upper: Float
        func callAsFunction(_ x: Float) -> Float { x < lower ? lower : (x > upper ? upper : x) }
    }
    /// 1 where lower ≤ x ≤ upper, else 0: the derivative of `Clamp`.
    struct InsideInterval: UnaryElementwise {
        let lower: Float
        let upper: Float
        func callAsFunction(_ x: Float) -> Float { (x >= lower && x <= upper) ? 1 : 0 }
    }

    struct Add: BinaryElementwise { func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b } }
    struct Subtract: BinaryElementwise { func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b } }
    struct Multiply: BinaryElementwise { func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b } }
    struct Divide: BinaryElementwise { func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b } }
    struct Maximum: BinaryElementwise { func callAsFunction(_ a: Float, _ b: Float) -> Float { a >= b ? a : b } }
    struct Minimum: BinaryElementwise { func callAsFunction(_ a: Float, _ b: Float) -> Float { a <= b ? a : b } }
    /// 1 where a ≥ b else 0.
    struct GreaterOrEqual: BinaryElementwise { func callAsFunction(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 } }
    /// 1 where a == b else 0.
    struct Equal: BinaryElementwise { func callAsFunction(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 } }
    /// g·SiLU'(x) for (a, b) = (x, g).
    struct SiLUBackward: BinaryElementwise {
        func callAsFunction(_ a: Float, _ b: Float) -> Float { b * FastMath.siluDerivative(a) }
    }
}
