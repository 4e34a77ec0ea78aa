/// Scalar math that LLVM can vectorise when it is called from a plain loop.
///
/// libm's `expf` never vectorises and costs ≈3.7 ns; this one does and costs ≈1.4 ns
/// (ENGINE-NOTES.md). The error is within 2 ulp of `expf` on [−87, 88].
public enum FastMath {
    /// `eˣ` by Cephes' `expf` polynomial after range reduction `x = n·ln2 + r`, |r| ≤ ½ln2.
    ///
    /// `n` is rounded with the 1.5·2²³ trick and `2ⁿ` is built from the bits of that sum, so the loop
    /// has no float→int conversion and no call. Inputs are clamped to [−87.3, 88.376]: the result
    /// never overflows to ∞ (above 88.376 it stays at e^88.376 ≈ 2.4e38: a larger input rounds n
    /// to 128, whose 2ⁿ is ∞) and tends to 0 (a normal float) below.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let clampedHigh = x > 88.376 ? Float(88.376) : x
        let v = clampedHigh < -87.3 ? Float(-87.3) : clampedHigh
        let shifter: Float = 12_582_912  // 1.5·2²³
        let t = multiplyAdd(v, 1.442_695_04, shifter)
        let n = t - shifter
        var r = multiplyAdd(n, -0.693_359_375, v)
        r = multiplyAdd(n, 2.121_944_4e-4, r)
        var p: Float = 1.987_569_15e-4
        p = multiplyAdd(p, r, 1.398_199_950_7e-3)
        p = multiplyAdd(p, r, 8.333_451_907_3e-3)
        p = multiplyAdd(p, r, 4.166_579_589_4e-2)
        p = multiplyAdd(p, r, 1.666_666_545_9e-1)
        p = multiplyAdd(p, r, 5.000_000_120_1e-1)
        let er = multiplyAdd(p * r, r, r + 1)
        // t's bit pattern is 0x4B400000 + n (n in the low mantissa bits, two's complement).
        let exponentBits = (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
        return er * Float(bitPattern: exponentBits)
    }

    /// a·b + c: one fused instruction (one rounding) in builds for a CPU with FMA, which
    /// `scripts/build-flags.sh` marks with `-D SCOREKIT_FMA` next to its `-target-cpu`; a
    /// product and a sum elsewhere. Swift never contracts `a * b + c` by itself, and
    /// `addingProduct` without FMA in the target calls `fmaf` for every element (≈25× slower
    /// than the two instructions), so the choice is made when compiling.
    @inline(__always)
    static func multiplyAdd(_ a: Float, _ b: Float, _ c: Float) -> Float {
        #if SCOREKIT_FMA
            c.addingProduct(a, b)
        #else
            a * b + c
        #endif
    }

    /// √x for x ≥ 0 from three Newton steps on 1/√x, within 2 ulp of `squareRoot()` for normal x.
    ///
    /// `Float.squareRoot()` keeps C's errno path (a call to `sqrtf` for x < 0) on Linux, which stops
    /// every loop that uses it from vectorising; this one is multiplications only. The start value is
    /// the bit-pattern estimate 0x5F3759DF − bits/2 (relative error ≤ 3.5 %); each step squares the
    /// error. √0 = 0; below the smallest normal float the result loses precision (Adam adds ε ≥ 1e-8
    /// to it anyway).
    @inlinable @inline(__always)
    public static func squareRoot(_ x: Float) -> Float {
        var y = Float(bitPattern: 0x5F37_59DF &- (x.bitPattern &>> 1))
        let half = 0.5 * x
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        return x * y
    }

    /// The logistic function 1 / (1 + e⁻ˣ).
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        1 / (1 + exp(-x))
    }

    /// x·σ(x) (SiLU, "swish").
    @inline(__always)
    static func silu(_ x: Float) -> Float {
        x / (1 + exp(-x))
    }

    /// d/dx [x·σ(x)] = σ(x)·(1 + x·(1 − σ(x))).
    @inline(__always)
    static func siluDerivative(_ x: Float) -> Float {
        let s = sigmoid(x)
        return s * (1 + x * (1 - s))
    }

    /// d²/dx² [x·σ(x)] = σ'(x)·(2 + x·(1 − 2σ(x))), σ' = σ(1 − σ).
    @inline(__always)
    static func siluSecondDerivative(_ x: Float) -> Float {
        let s = sigmoid(x)
        return s * (1 - s) * (2 + x * (1 - 2 * s))
    }
}
