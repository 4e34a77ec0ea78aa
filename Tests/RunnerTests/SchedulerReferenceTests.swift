import Foundation
import ScoreKitCore
import ScoreKitRunner
import ScoreKitSamplers
import Testing

/// diffusers' schedulers and k-diffusion's samplers against ScoreKit's recipes, on the exact
/// denoiser of a correlated 2-D mixture (scripts/fixtures/scheduler_reference.py): the same
/// starting point and, for stochastic ones, the library's own variance noise replayed through
/// `RecordedNoise`, give the library's samples.
@Suite("parity with diffusers and k-diffusion (Tests/Fixtures/scheduler-reference.safetensors)")
struct SchedulerReferenceTests {
    static let fixturePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/scheduler-reference.safetensors").path

    /// The fixture's mixture, as a recipe's data section.
    static let data = """
        { kind: gaussian-mixture, count: 256, weights: [0.5, 0.3, 0.2], means: [[1.5, 0.5], [-1.0, 1.0], [0.0, -1.5]],
          covariances: [[[0.3, 0.2], [0.2, 0.25]], [[0.1, -0.05], [-0.05, 0.4]], [[0.5, 0.0], [0.0, 0.05]]] }
        """

    /// A case of the fixture: its recipe sections.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var sde = "{ kind: ddpm }"
        var parameterization: String
        var grid: String
        var sampler: String
        var clipping = ""

        var description: String { name }
    }

    static let leading = "{ kind: discrete, steps: 12, spacing: leading }"
    static let multistep = "{ kind: discrete, steps: 12, spacing: linspace, convention: multistep }"
    static let multistepToSigmaMin =
        "{ kind: discrete, steps: 12, spacing: linspace, convention: multistep, finalStep: none }"
    static let euler = "{ kind: discrete, steps: 12, spacing: linspace, convention: euler }"

    static let cases: [Case] = {
        var cases: [Case] = []
        for (short, target) in [("eps", "epsilon"), ("v", "velocity"), ("x0", "denoised")] {
            func add(_ name: String, _ grid: String, _ sampler: String) {
                cases.append(Case(name: "\(name)-\(short)", parameterization: target, grid: grid, sampler: sampler))
            }
            add("ddpm", leading, "{ kind: ancestral }")
            add("ddim", leading, "{ kind: ddim }")
            add("ddim-eta1", leading, "{ kind: ddim, eta: 1 }")
            add("dpm-2m", multistep, "{ kind: dpm-solver-plus-plus, order: 2, start: lowerOrder }")
            add("unipc-bh2", multistep, "{ kind: unipc, order: 2, variant: bh2 }")
            add("unipc-bh1-3", multistepToSigmaMin, "{ kind: unipc, order: 3, variant: bh1 }")
            add("euler", euler, "{ kind: ddim }")
            if short != "x0" { add("euler-ancestral", euler, "{ kind: euler-ancestral }") }
            add("heun", euler, "{ kind: edm-heun }")
        }
        let clip = "{ mode: static, range: 1 }"
        let threshold = "{ mode: dynamic, percentile: 0.9, range: 1.2 }"
        for (name, grid, sampler, clipping) in [
            ("ddpm-clip-eps", leading, "{ kind: ancestral }", clip), ("ddim-clip-eps", leading, "{ kind: ddim }", clip),
            (
                "dpm-2m-threshold-eps", multistep, "{ kind: dpm-solver-plus-plus, order: 2, start: lowerOrder }",
                threshold
            ),
            ("unipc-threshold-eps", multistep, "{ kind: unipc, order: 2, variant: bh2 }", threshold),
        ] {
            cases.append(
                Case(name: name, parameterization: "epsilon", grid: grid, sampler: sampler, clipping: clipping))
        }
        let karras = "{ kind: karras, steps: 12, endTime: 0.002 }"
        for (name, sampler) in [
            ("k-euler", "{ kind: ddim }"), ("k-heun", "{ kind: edm-heun }"),
            ("k-dpmpp-2m", "{ kind: dpm-solver-plus-plus, order: 2, start: lowerOrder }"),
            ("k-euler-ancestral", "{ kind: euler-ancestral }"), ("k-dpmpp-2m-sde", "{ kind: dpmpp-2m-sde }"),
        ] {
            cases.append(
                Case(name: name, sde: "{ kind: edm }", parameterization: "denoised", grid: karras, sampler: sampler))
        }
        return cases
    }()

    static let fixture = Result { () throws(TensorFileError) in try SafeTensorsFile.read(fixturePath) }

    /// ScoreKit's samples for `c`, from the fixture's start and noise.
    static func samples(_ c: Case, in dir: String) throws -> (ours: Tensor, theirs: Tensor) {
        let recipe = """
            sde:              \(c.sde)
            parameterization: { kind: \(c.parameterization) }
            network:          { kind: exact-mixture }
            data:             \(data)
            timeGrid:         \(c.grid)
            sampler:          \(c.sampler)
            seed: 0
            """ + (c.clipping.isEmpty ? "" : "\nclipping: \(c.clipping)")
        return try samples(recipe: recipe, case: c.name, in: dir)
    }

    /// ScoreKit's samples for the fixture case `name` from a whole `recipe` (its network the
    /// exact mixture of `data`), from the fixture's start and noise, beside the library's.
    static func samples(recipe: String, case name: String, in dir: String) throws -> (ours: Tensor, theirs: Tensor) {
        let file = try fixture.get()
        let run = try RunModel.load(
            .init(path: try writeRecipe(recipe, named: name + ".yaml", in: dir)), registry: exactRegistry)
        let method = try SamplingMethod(recipe: run.recipe)
        let initial = try file.tensor(name + ".init")
        let recorded = try file.tensors[name + ".noise"].map { try RecordedNoise(recording: $0) }
        let outcome = try method.sharded(sde: run.sde).run(
            count: initial.shape[0], sampleShape: [2], seed: 0, initial: initial, recorded: recorded
        ) { run.samplingProcess(first: $0.lowerBound, count: $0.count) }
        return (outcome.samples, try file.tensor(name + ".out"))
    }

    /// Every case within 1e-4 RMS of the library's samples.
    @Test(arguments: cases)
    func matchesTheLibrary(_ c: Case) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (ours, theirs) = try Self.samples(c, in: dir)
        let rms = Double(square(ours - theirs).mean().scalars[0]).squareRoot()
        #expect(rms <= 1e-4, "\(c.name): RMS \(rms)")
    }

    /// The check can fail: Euler's schedule read as DDIM's (linspace rounded to whole timesteps),
    /// DDIM without the final step to ᾱ = 1 (`set_alpha_to_one`), or the clipped and thresholded
    /// cases without their `clipping` are each outside 1e-4.
    @Test func aNeighbouringScheduleMisses() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rounded = try #require(Self.cases.first { $0.name == "euler-eps" })
        rounded.grid = "{ kind: discrete, steps: 12, spacing: linspace }"
        var ending = try #require(Self.cases.first { $0.name == "ddim-eps" })
        ending.grid = "{ kind: discrete, steps: 12, spacing: leading, finalStep: none }"
        var unclipped = try #require(Self.cases.first { $0.name == "ddim-clip-eps" })
        unclipped.clipping = ""
        var unthresholded = try #require(Self.cases.first { $0.name == "dpm-2m-threshold-eps" })
        unthresholded.clipping = ""
        for c in [rounded, ending, unclipped, unthresholded] {
            let (ours, theirs) = try Self.samples(c, in: dir)
            let rms = Double(square(ours - theirs).mean().scalars[0]).squareRoot()
            #expect(rms > 1e-4, "\(c.name) on \(c.grid), clipping '\(c.clipping)': RMS \(rms)")
        }
    }

    /// Every case of the fixture is checked (a case added to the script needs its recipe here).
    @Test func everyFixtureCaseHasARecipe() throws {
        let names = Set(
            try Self.fixture.get().tensors.keys.compactMap { $0.hasSuffix(".out") ? String($0.dropLast(4)) : nil })
        #expect(names.subtracting(Self.cases.map(\.name)).sorted() == [], "cases without a recipe")
    }
}
