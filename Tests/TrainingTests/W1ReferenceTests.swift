import Foundation
import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import ScoreKitRunner
import ScoreKitSDEs
import Testing

/// One W1 training step against PyTorch: the fixture (scripts/fixtures/w1_reference.py) holds the
/// peers' initial weights, a fixed batch, σ per sample and noise, and PyTorch's loss, gradients,
/// gradient norm and the weights after one clipped Adam step.
@Suite struct W1ReferenceTests {
    static let fixturePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/w1-reference.safetensors").path

    /// Hands the loss PyTorch's draws: level indices as uniforms at bin centres, then ε.
    struct ReplayedNoise: NoiseSource {
        var uniforms: [Tensor]
        var normals: [Tensor]
        mutating func normal(_ shape: [Int]) -> Tensor {
            let t = normals.removeFirst()
            precondition(t.shape == shape)
            return t
        }
        mutating func uniform(_ shape: [Int]) -> Tensor {
            let t = uniforms.removeFirst()
            precondition(t.shape == shape)
            return t
        }
        mutating func rademacher(_ shape: [Int]) -> Tensor { fatalError("not used by W1") }
        /// The same draws for rows `rows` only, so that the sharded training step can replay them too.
        func shard(_ rows: Range<Int>) -> ReplayedNoise? {
            ReplayedNoise(
                uniforms: uniforms.map { $0.slice(alongAxis: 0, rows) },
                normals: normals.map { $0.slice(alongAxis: 0, rows) })
        }
        mutating func advance(pastShard shard: ReplayedNoise) {
            uniforms.removeFirst(uniforms.count - shard.uniforms.count)
            normals.removeFirst(normals.count - shard.normals.count)
        }
    }

    struct Setup {
        let step: TrainingStep<VarianceExplodingSDE, ScorePrediction, DenoisingScoreMatching, Adam>
        var model: NoiseConditionalMLP
        let batch: TrainingBatch
        let noise: ReplayedNoise
        let file: SafeTensorsFile
    }

    static func setup(rowsPerShard: Int = 256) throws -> Setup {
        let file = try SafeTensorsFile.read(fixturePath)
        // The components a W1 recipe names, made through their configurations.
        var ve = VarianceExplodingSDE.Configuration()
        ve.sigmaMin = 0.01
        ve.sigmaMax = 10
        let sde = try VarianceExplodingSDE(configuration: ve)
        var dsm = DenoisingScoreMatching.Configuration()
        dsm.timeDistribution = .noiseLevels
        dsm.levelCount = 12
        dsm.sigmaMax = 10
        dsm.sigmaMin = 0.01
        dsm.weighting = .noiseVariance
        dsm.reduction = .mean
        let loss = DenoisingScoreMatching(configuration: dsm)
        let parameterization = ScorePrediction()
        var model = NoiseConditionalMLP(dimension: 2, seed: 0)
        for name in model.parameters.names { model.parameters[name] = try file.tensor("init.\(name)") }
        // The level of each sample, recovered from its σ, as a uniform at the centre of its bin.
        let levels = (0..<12).map { 10 * Foundation.pow(0.001, Double($0) / 11) }
        let sigma = try file.tensor("sigma").scalars
        let uniforms = sigma.map { s -> Float in
            let k = levels.indices.min { abs(levels[$0] - Double(s)) < abs(levels[$1] - Double(s)) }!
            return Float((Double(k) + 0.5) / 12)
        }
        let noise = ReplayedNoise(uniforms: [Tensor(uniforms)], normals: [try file.tensor("eps")])
        let step = TrainingStep(
            sde: sde, parameterization: parameterization, loss: loss, optimizer: Adam(), gradientClipNorm: 1,
            rowsPerShard: rowsPerShard)
        return Setup(
            step: step, model: model, batch: TrainingBatch(data: try file.tensor("x0")), noise: noise, file: file)
    }

    static func maxRelativeError(_ a: Tensor, _ b: Tensor) -> Float {
        let scale = max(b.scalars.map(abs).max() ?? 0, 1e-12)
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()! / scale
    }

    /// As one batch (512 rows a shard), in two shards (the default) and in five uneven ones.
    @Test(arguments: [512, 256, 100])
    func lossAndGradientsMatchPyTorch(rowsPerShard: Int) throws {
        let s = try Self.setup(rowsPerShard: rowsPerShard)
        var noise = s.noise
        let (grads, evaluation) = s.step.gradients(of: s.model, on: s.batch, noise: &noise)
        #expect(noise.uniforms.isEmpty && noise.normals.isEmpty, "the shards' draws were not all consumed")
        #expect(evaluation.perSample.shape == [s.batch.count])
        let reference = try s.file.tensor("loss").scalars[0]
        #expect(abs(evaluation.value.scalar - reference) <= 1e-4 * reference)
        for (name, g) in zip(s.model.parameters.names, grads) {
            let error = Self.maxRelativeError(g, try s.file.tensor("grad.\(name)"))
            #expect(error <= 1e-4, "gradient of \(name): max error \(error) relative to its largest entry")
        }
        let norm = GradientClipping.globalNorm(grads)
        #expect(abs(norm - Double(try s.file.tensor("gradNorm").scalars[0])) <= 1e-4 * norm)
    }

    @Test(arguments: [512, 256])
    func clippedAdamStepMatchesPyTorch(rowsPerShard: Int) throws {
        var s = try Self.setup(rowsPerShard: rowsPerShard)
        var noise = s.noise
        var state = s.step.optimizer.initialState(for: s.model.parameters)
        _ = s.step.apply(to: &s.model, state: &state, batch: s.batch, learningRate: 1e-3, noise: &noise)
        for name in s.model.parameters.names {
            let updated = try s.file.tensor("updated.\(name)")
            let initial = try s.file.tensor("init.\(name)")
            // Compare the update itself (θ₁ − θ₀), which is about lr in size, to 2e-3 of lr. At step 1
            // the update is lr·g/(|g| + ε): where |g| is a few ε (5e-8 in l3.weight), a gradient
            // difference far inside the 1e-4 gradient tolerance, such as the shards' summation
            // order, moves it by ≈1e-6.
            let ours = s.model.parameters[name]! - initial
            let theirs = updated - initial
            let errors = zip(ours.scalars, theirs.scalars).map { abs($0 - $1) }
            let error = errors.max()!
            let worst = errors.firstIndex(of: error)!
            let gradient = try s.file.tensor("grad.\(name)").scalars[worst]
            #expect(
                error <= 2e-6,
                "update of \(name) differs by \(error) at \(worst): ours \(ours.scalars[worst]), theirs \(theirs.scalars[worst]), PyTorch's gradient \(gradient)"
            )
        }
    }
}
