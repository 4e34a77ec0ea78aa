/// Group normalisation of x seen as [N, G, C/G, L] with per-channel scale and shift; statistics in Double.
enum GroupNormKernels {
    /// y = (x − μ)·r·γ + β per group, with r = 1/√(v + ε); writes μ and r ([N·G]) for the backward.
    static func forward(
        _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        _ y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
        inverseDeviation: UnsafeMutablePointer<Float>,
        batch: Int, channels: Int, groups: Int, positions: Int, epsilon: Float
    ) {
        let perGroup = channels / groups
        let count = perGroup * positions
        for n in 0..<batch {
            for g in 0..<groups {
                let base = (n * channels + g * perGroup) * positions
                let src = x + base
                let mu = sum(src, count) / Double(Swift.max(count, 1))
                let r =
                    1
                    / (squaredDeviation(src, count, from: mu) / Double(Swift.max(count, 1)) + Double(epsilon))
                    .squareRoot()
                mean[n * groups + g] = Float(mu)
                inverseDeviation[n * groups + g] = Float(r)
                let (m, rf) = (Float(mu), Float(r))
                for c in 0..<perGroup {
                    let channel = g * perGroup + c
                    let scale = rf * gamma[channel]
                    let shift = beta[channel] - m * scale
                    let row = src + c * positions
                    let out = y + base + c * positions
                    for p in 0..<positions { out[p] = row[p] * scale + shift }
                }
            }
        }
    }

    /// The first-order gradients for the output gradient g, from the saved μ and r:
    ///
    /// ```
    /// x̂ = (x − μ)·r,   ĝ = g·γ
    /// ∂x = r·(ĝ − mean_group(ĝ) − x̂·mean_group(ĝ·x̂)),   ∂γ_c = Σ g·x̂,   ∂β_c = Σ g
    /// ```
    static func backward(
        _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, inverseDeviation: UnsafePointer<Float>,
        gradientX: UnsafeMutablePointer<Float>, gradientGamma: UnsafeMutablePointer<Float>,
        gradientBeta: UnsafeMutablePointer<Float>,
        batch: Int, channels: Int, groups: Int, positions: Int
    ) {
        let perGroup = channels / groups
        let count = Float(Swift.max(perGroup * positions, 1))
        let sumGamma = UnsafeMutablePointer<Double>.allocate(capacity: 2 * channels)
        defer { sumGamma.deallocate() }
        sumGamma.initialize(repeating: 0, count: 2 * channels)
        let sumBeta = sumGamma + channels
        for n in 0..<batch {
            for grp in 0..<groups {
                let (m, r) = (mean[n * groups + grp], inverseDeviation[n * groups + grp])
                let base = (n * channels + grp * perGroup) * positions
                var sumG = 0.0, sumGX = 0.0
                for c in 0..<perGroup {
                    let channel = grp * perGroup + c
                    let (xs, gs) = (x + base + c * positions, g + base + c * positions)
                    // Σ g and Σ g·x̂ = r·(Σ g·x − μ·Σ g), in Double.
                    let a = sum(gs, positions)
                    let b = Double(r) * (dot(gs, xs, positions) - Double(m) * a)
                    sumBeta[channel] += a
                    sumGamma[channel] += b
                    sumG += a * Double(gamma[channel])
                    sumGX += b * Double(gamma[channel])
                }
                let meanG = Float(sumG) / count
                let meanGX = Float(sumGX) / count
                for c in 0..<perGroup {
                    let channel = grp * perGroup + c
                    let gam = gamma[channel]
                    let offset = base + c * positions
                    let (xs, gs, out) = (x + offset, g + offset, gradientX + offset)
                    for p in 0..<positions {
                        let xhat = (xs[p] - m) * r
                        out[p] = r * (gs[p] * gam - meanG - xhat * meanGX)
                    }
                }
            }
        }
        for c in 0..<channels {
            gradientGamma[c] = Float(sumGamma[c])
            gradientBeta[c] = Float(sumBeta[c])
        }
    }

    // Four partial sums in Double keep these loops vectorised (ReductionKernels does the same).

    /// Σ x[i] for i < n.
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i + 4 <= n {
            s0 += Double(x[i])
            s1 += Double(x[i + 1])
            s2 += Double(x[i + 2])
            s3 += Double(x[i + 3])
            i += 4
        }
        while i < n {
            s0 += Double(x[i])
            i += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// Σ (x[i] − m)² for i < n.
    @inline(__always)
    static func squaredDeviation(_ x: UnsafePointer<Float>, _ n: Int, from m: Double) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i + 4 <= n {
            let (d0, d1, d2, d3) = (Double(x[i]) - m, Double(x[i + 1]) - m, Double(x[i + 2]) - m, Double(x[i + 3]) - m)
            s0 += d0 * d0
            s1 += d1 * d1
            s2 += d2 * d2
            s3 += d3 * d3
            i += 4
        }
        while i < n {
            let d = Double(x[i]) - m
            s0 += d * d
            i += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// Σ a[i]·b[i] for i < n.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i + 4 <= n {
            s0 += Double(a[i]) * Double(b[i])
            s1 += Double(a[i + 1]) * Double(b[i + 1])
            s2 += Double(a[i + 2]) * Double(b[i + 2])
            s3 += Double(a[i + 3]) * Double(b[i + 3])
            i += 4
        }
        while i < n {
            s0 += Double(a[i]) * Double(b[i])
            i += 1
        }
        return (s0 + s1) + (s2 + s3)
    }
}
