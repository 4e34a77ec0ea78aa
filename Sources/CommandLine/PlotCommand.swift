import ArgumentParser
import ScoreKitCore
import ScoreKitRunner

/// `scorekit plot RUN`: the run's pictures (SVG; PNG for image data) in its folder.
struct PlotCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a run's pictures: loss curves, score field, samples, trajectories (SVG); image grids (PNG).",
        discussion: """
            Writes into the run folder: loss.svg and loss-by-time.svg (from metrics.jsonl), and for 2-D \
            data score-field.svg (the model's score as arrows over the data density), samples.svg \
            (samples.npy over the data) and samples-trajectories.svg (8 samples' paths through the \
            recipe's sampler); for image data data.png (a grid of the data, a row per class when \
            labelled), samples.png and samples-trajectories.png (8 samples through the sampler's steps). \
            `train` and `sample` draw these at their end too. SOURCE may also be a recipe file whose \
            model needs no training (network: { kind: exact-mixture }); its pictures go to --out, by \
            default runs/<recipe-name> as for `train`.
            """
    )

    @Argument(help: "A run folder, or a recipe file of a model that needs no training (exact-mixture).")
    var folder: String

    @Option(
        name: .customLong("out"),
        help: ArgumentHelp(
            "The folder the pictures go to (default: the run folder; runs/<recipe-name> for a recipe file).",
            valueName: "dir"))
    var output: String?

    @Option(
        name: .customLong("only"),
        help: ArgumentHelp("Draw only these pictures: loss, score-field, samples, trajectories, data (repeatable).")
    )
    var only: [String] = []

    @Option(
        name: .customLong("noise-level"),
        help: ArgumentHelp("σ/α of the score field (default: 0.1 × the data's RMS deviation).", valueName: "σ"))
    var noiseLevel: Double?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override a recipe value, such as sampler.kind=euler (repeatable).", valueName: "path=value")
    )
    var overrides: [String] = []

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        let names = PlotSession.Picture.allCases.map(\.rawValue)
        for name in only where PlotSession.Picture(rawValue: name) == nil {
            throw ValidationError("unknown picture '\(name)'; pictures: \(names.joined(separator: ", "))")
        }
        if let noiseLevel, !(noiseLevel > 0) {
            throw ValidationError("--noise-level must be a number > 0, got \(noiseLevel)")
        }
    }

    func run(registry: ComponentRegistry) throws {
        global.apply()
        var options = PlotSession.Options(folder: folder)
        options.output = output
        if !only.isEmpty { options.pictures = Set(only.compactMap(PlotSession.Picture.init(rawValue:))) }
        options.noiseLevel = noiseLevel
        options.overrides = try global.overrides(overrides)
        options.seed = global.seed.map { UInt64($0) }
        options.logger = global.logger
        do {
            let (written, skipped) = try PlotSession(options: options, registry: registry).run()
            if !global.quiet {
                for path in written { print("wrote \(path)") }
                for reason in skipped { StandardError.print("skipped \(reason)") }
            }
        } catch {
            StandardError.print(error.description)
            throw ExitCode.failure
        }
    }
}
