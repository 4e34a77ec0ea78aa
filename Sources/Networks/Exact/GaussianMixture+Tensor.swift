public import ScoreKitCore

/// Batched forms of the exact quantities: `x` is `[N, …]` with d values per sample, one shared
/// marginal; results are Float32 tensors computed in Double.
extension GaussianMixture {
    /// ∇log p_t(x), shaped like `x`.
    public func score(_ x: Tensor, marginal: Marginal) -> Tensor { value(.score, x, marginal: marginal) }

    /// E[x₀ | x_t = x], shaped like `x`.
    public func denoised(_ x: Tensor, marginal: Marginal) -> Tensor { value(.denoised, x, marginal: marginal) }

    /// The exact `prediction` at each sample of `x`, shaped like `x`.
    public func value(_ prediction: Prediction, _ x: Tensor, marginal m: Marginal) -> Tensor {
        mapSamples(x, width: dimension, marginal: { _ in m }) { _, point, _, workspace, out in
            writeValue(prediction, point: point, marginal: m, workspace: workspace, into: out)
        }.reshaped(x.shape)
    }

    /// log p_t(x) per sample, `[N]`.
    public func logDensity(_ x: Tensor, marginal m: Marginal) -> Tensor {
        mapSamples(x, width: 1, marginal: { _ in m }) { _, _, result, _, out in out[0] = Float(result.logDensity) }
            .reshaped([x.shape[0]])
    }

    /// p(k | x_t = x), `[N, K]`: the exact classifier of the component a sample came from.
    public func posterior(_ x: Tensor, marginal m: Marginal) -> Tensor {
        mapSamples(x, width: componentCount, marginal: { _ in m }) { _, _, _, workspace, out in
            for c in 0..<componentCount { out[c] = Float(workspace.posterior[c]) }
        }
    }

    /// ∇ₓ log p(k | x_t = x) for each sample's class `classes[i]`, shaped like `x`: the
    /// classifier-guidance term (Dhariwal & Nichol 2021), equal to s_k(x) − ∇log p_t(x).
    /// The gradient of p(k | x) itself is p(k | x) times this.
    public func logPosteriorGradient(_ x: Tensor, classes: [Int], marginal m: Marginal) -> Tensor {
        precondition(classes.count == x.shape[0], "\(classes.count) classes for \(x.shape[0]) samples")
        precondition(
            classes.allSatisfy { (0..<componentCount).contains($0) }, "classes must be in 0..<\(componentCount)")
        return mapSamples(x, width: dimension, marginal: { _ in m }) { row, _, _, workspace, out in
            let k = classes[row]
            for j in 0..<dimension { out[j] = Float(workspace.componentScores[k * dimension + j] - workspace.score[j]) }
        }.reshaped(x.shape)
    }

    /// The probability-flow velocity f − ½g²·∇log p_t, shaped like `x`.
    public func probabilityFlowVelocity(_ x: Tensor, marginal m: Marginal) -> Tensor {
        mapSamples(x, width: dimension, marginal: { _ in m }) { _, point, _, workspace, out in
            for j in 0..<dimension {
                out[j] = Float(m.driftCoefficient * point[j] - 0.5 * m.diffusionSquared * workspace.score[j])
            }
        }.reshaped(x.shape)
    }

    /// The exact divergence of the probability-flow velocity per sample, `[N]`.
    public func probabilityFlowDivergence(_ x: Tensor, marginal m: Marginal) -> Tensor {
        mapSamples(x, width: 1, marginal: { _ in m }) { _, _, result, _, out in
            out[0] = Float(Double(dimension) * m.driftCoefficient - 0.5 * m.diffusionSquared * result.scoreDivergence)
        }.reshaped([x.shape[0]])
    }

    /// `count` samples of the mixture itself, `[count, d]`: component k with probability w_k
    /// (one uniform per sample), then μ_k + U_k Λ_k^½ z with z standard normal.
    public func sample(count: Int, noise: inout some NoiseSource) -> Tensor {
        let u = noise.uniform([count]).scalars
        let z = noise.normal([count, dimension]).scalars
        var cumulative = [Double]()
        var total = 0.0
        for w in weights {
            total += w
            cumulative.append(total)
        }
        let (d, m) = (dimension, storage)
        return Tensor(shape: [count, d]) { out in
            for i in 0..<count {
                let target = Double(u[i]) * total
                let k = cumulative.firstIndex { $0 > target } ?? (componentCount - 1)
                let offset = i * d
                for row in 0..<d {
                    var value = m.means[k * d + row]
                    if m.isRotated[k] {
                        for j in 0..<d {
                            let scale = m.variances[k * d + j].squareRoot()
                            value += m.rotations[(k * d + row) * d + j] * scale * Double(z[offset + j])
                        }
                    } else {
                        value += m.variances[k * d + row].squareRoot() * Double(z[offset + row])
                    }
                    out[i * d + row] = Float(value)
                }
            }
        }
    }

    /// `count` samples of the marginal p_t: α·x₀ + σ·ε with x₀ from the mixture.
    public func sample(count: Int, marginal: Marginal, noise: inout some NoiseSource) -> Tensor {
        let data = sample(count: count, noise: &noise)
        return data * Float(marginal.signalScale) + noise.normal([count, dimension]) * Float(marginal.noiseScale)
    }

    /// Writes `prediction` from the kernel's results for `point`:
    /// ε = −σ·∇log p_t,   v = α·ε − σ·x̂₀,   u = α'·x̂₀ + σ'·ε.
    func writeValue(
        _ prediction: Prediction, point: UnsafePointer<Double>, marginal m: Marginal, workspace: MixtureWorkspace,
        into out: UnsafeMutablePointer<Float>
    ) {
        let (a, s) = (m.signalScale, m.noiseScale)
        for j in 0..<dimension {
            let (score, x0) = (workspace.score[j], workspace.denoised[j])
            let value: Double
            switch prediction {
            case .score: value = score
            case .denoised: value = x0
            case .epsilon: value = -s * score
            case .velocity: value = -a * s * score - s * x0
            case .flowVelocity: value = m.signalScaleDerivative * x0 - m.noiseScaleDerivative * s * score
            }
            out[j] = Float(value)
        }
    }

    /// Runs the kernel on each sample of `x` at that sample's marginal and lets `body` write
    /// `width` Float outputs per sample; returns them as `[N, width]`.
    func mapSamples(
        _ x: Tensor, width: Int, marginal: (Int) -> Marginal,
        _ body: (
            _ row: Int, _ point: UnsafePointer<Double>, _ result: (logDensity: Double, scoreDivergence: Double),
            _ workspace: MixtureWorkspace, _ out: UnsafeMutablePointer<Float>
        ) -> Void
    ) -> Tensor {
        let n = x.shape.first ?? 0
        let d = dimension
        precondition(n > 0 && x.scalarCount == n * d, "x of shape \(x.shape) is not [N, …] with \(d) values per sample")
        let workspace = MixtureWorkspace(componentCount: componentCount, dimension: d)
        let point = UnsafeMutablePointer<Double>.allocate(capacity: d)
        defer { point.deallocate() }
        return x.withUnsafeBufferPointer { input in
            Tensor(shape: [n, width]) { out in
                for i in 0..<n {
                    for j in 0..<d { point[j] = Double(input[i * d + j]) }
                    let m = marginal(i)
                    let result = workspace.evaluate(storage, at: point, alpha: m.signalScale, sigma: m.noiseScale)
                    body(i, point, result, workspace, out.baseAddress! + i * width)
                }
            }
        }
    }
}

extension GaussianMixture {
    /// ∇log p_t(x) with each sample at its own marginal, shaped like `x`; where `classes` gives
    /// sample i a component k (not `NoiseCondition.nullLabel`), the score of that component
    /// alone, ∇log N(x; α·μ_k, C_k) = ∇log p_t(x | k). In Double, then Float32.
    ///
    /// The target of explicit score matching on mixture data (`marginals[i]` is sample i's).
    public func score(_ x: Tensor, marginals: [Marginal], classes: [Int]? = nil) -> Tensor {
        precondition(marginals.count == x.shape.first, "\(marginals.count) marginals for \(x.shape) samples")
        if let classes {
            precondition(classes.count == marginals.count, "\(classes.count) classes for \(marginals.count) samples")
            precondition(
                classes.allSatisfy { $0 == NoiseCondition.nullLabel || (0..<componentCount).contains($0) },
                "classes must be in 0..<\(componentCount) or the null label")
        }
        return mapSamples(x, width: dimension, marginal: { marginals[$0] }) { row, _, _, workspace, out in
            let k = classes?[row] ?? NoiseCondition.nullLabel
            for j in 0..<dimension {
                let value =
                    k == NoiseCondition.nullLabel ? workspace.score[j] : workspace.componentScores[k * dimension + j]
                out[j] = Float(value)
            }
        }.reshaped(x.shape)
    }
}
