import ArgumentParser
import Foundation
import ScoreKitCore
import ScoreKitRunner

/// `scorekit interpolate SOURCE --from a.npy --to b.npy --steps 8`: paths through the latent space.
struct InterpolateCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Interpolate between data points through the probability-flow ODE's latents (encode, slerp, decode).",
        discussion: """
            Encodes row i of --from and of --to with the probability-flow ODE (as `scorekit encode`), \
            interpolates the two latents spherically at --steps evenly spaced points (both ends \
            included), and decodes each. Writes interpolation.npy ([steps, N, d], data space), \
            interpolation-latents.npy, and a picture: interpolation.svg (2-D data: the paths over the \
            data) or interpolation.png (images: a row per pair, a column per step).
            """
    )

    @Argument(help: "A run folder, or a recipe file (with an exact network, or with --checkpoint).")
    var source: String

    @Option(name: .long, help: ArgumentHelp("The start points (.npy, [N, d], data space).", valueName: "file"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("The end points (.npy, the shape of --from).", valueName: "file"))
    var to: String

    @Option(name: .long, help: ArgumentHelp("Points on each path, both ends included (at least 2).", valueName: "n"))
    var steps = 8

    @Option(name: .long, help: ArgumentHelp("The checkpoint, for a recipe file.", valueName: "file"))
    var checkpoint: String?

    @Option(
        name: .customLong("out"),
        help: ArgumentHelp(
            "The output folder (default: the run folder; runs/<recipe-name> for a recipe file).", valueName: "dir"))
    var output: String?

    @Flag(name: .long, help: "Use the raw weights instead of their exponential moving average.")
    var rawWeights = false

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override a recipe value, such as likelihood.solver.rtol=1e-6 (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if steps < 2 { throw ValidationError("--steps must be at least 2 (the two ends), got \(steps)") }
    }

    func run(registry: ComponentRegistry) throws {
        global.apply()
        var options = InterpolationSession.Options(source: source, from: from, to: to)
        options.checkpoint = checkpoint
        options.steps = steps
        options.output = output
        options.useRawWeights = rawWeights
        options.overrides = try global.overrides(overrides)
        do {
            let summary = try InterpolationSession(options: options, registry: registry).run()
            guard !global.quiet else { return }
            let counts = summary.evaluationCounts
            print(
                "interpolated \(summary.path.shape[1]) pairs in \(summary.path.shape[0]) steps with "
                    + "\(counts.encode) + \(counts.decode) model evaluations; "
                    + String(format: "ends' round-trip RMS error %.3g", summary.endpointError))
            for path in summary.writtenPaths { print("wrote \(path)") }
        } catch {
            StandardError.print(error.description)
            throw ExitCode.failure
        }
    }
}
