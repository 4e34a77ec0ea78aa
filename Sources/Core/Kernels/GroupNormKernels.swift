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
                var s0 = 0.0, s1 = 0.0
                for i in 0..<count { s0 += Double(src[i]) }
                let mu = s0 / Double(Swift.max(count, 1))
                for i in 0..<count {
                    let d = Double(src[i]) - mu
                    s1 += d * d
                }
                let r = 1 / (s1 / Double(Swift.max(count, 1)) + Double(epsilon)).squareRoot()
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
                    var a: Float = 0, b: Float = 0
                    for p in 0..<positions {
                        let xhat = (xs[p] - m) * r
                        a += gs[p]
                        b += gs[p] * xhat
                    }
                    sumBeta[channel] += Double(a)
                    sumGamma[channel] += Double(b)
                    sumG += Double(a * gamma[channel])
                    sumGX += Double(b * gamma[channel])
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
}
