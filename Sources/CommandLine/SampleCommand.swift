import ArgumentParser
import Foundation
import ScoreKitCore
import ScoreKitRunner
import ScoreKitSamplers

/// `scorekit sample RUN`: draws samples from a trained run with its recipe's time grid and sampler.
struct SampleCommand: RegistryCommand, DistributedCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw samples from a trained run; write them as .npy with a picture for 2-D data.",
        discussion: """
            SOURCE is a run folder (written by `scorekit train`) or a recipe file with --checkpoint. \
            The recipe's timeGrid and sampler sections choose the method; override them with --set, \
            such as --set sampler.kind=euler-maruyama --set timeGrid.steps=500. Samples depend only on \
            the seed and their index, never on how many are drawn together. --known and --mask sample \
            given part of each sample (imputation, inpainting), as the recipe's conditioning section \
            does: sample i is conditioned on row i mod R of the known values; choose the method with \
            --set conditioning.method=reconstruction.
            """
    )

    @Argument(help: "A run folder, or a recipe file (then give --checkpoint).")
    var source: String

    @Option(name: .long, help: ArgumentHelp("The checkpoint to sample from.", valueName: "file"))
    var checkpoint: String?

    @Option(name: .long, help: "How many samples to draw (1 to 268,435,456).")
    var count = 10_000

    @Option(
        name: .customLong("init"),
        help: ArgumentHelp("Start from this prior noise (.npy, [count, d]).", valueName: "file"))
    var initialNoise: String?

    @Option(
        name: .customLong("noise"),
        help: ArgumentHelp(
            "Replay these draws instead of the seeded noise (.npy, [draws, count, d] or [count, values]): "
                + "the prior draw first unless --init is given, then the sampler's, step by step.",
            valueName: "file"))
    var recordedNoise: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Condition on these known values (.npy, [R] + the sample shape, in data space); sample i on row i mod R.",
            valueName: "file"))
    var known: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Which values are known (.npy of 0/1, 1 = known, one row or R); for images also the region to "
                + "sample: lower-half, upper-half, left-half, right-half.",
            valueName: "file|region"))
    var mask: String?

    @Option(name: .customLong("out"), help: ArgumentHelp("Where to write the samples (.npy).", valueName: "file"))
    var output: String?

    @Flag(name: .long, help: "Use the raw weights instead of their exponential moving average.")
    var rawWeights = false

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override a recipe value, such as sampler.kind=heun (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    @OptionGroup var global: GlobalOptions

    func run(registry: ComponentRegistry) throws {
        global.apply()
        var options = SamplingSession.Options(source: source)
        options.checkpoint = checkpoint
        options.count = count
        options.initialNoise = initialNoise
        options.recordedNoise = recordedNoise
        options.output = output
        options.known = known
        options.mask = mask
        options.seed = global.seed.map { UInt64($0) }
        options.useRawWeights = rawWeights
        options.logger = global.logger
        options.overrides = try global.overrides(overrides)
        options.collectives = Ranks.collectives
        let session = SamplingSession(options: options, registry: registry)
        let quiet = global.quiet
        let isTerminal = isatty(STDERR_FILENO) == 1
        let start = ContinuousClock.now
        var reportedTenths = 0
        var drawn = false
        do {
            // Each finished shard, from the shards' threads one at a time.
            let summary = try session.run { event in
                guard case let .shardFinished(_, done, total) = event, !quiet, total > 0 else { return }
                drawn = true
                // In place on a terminal; in a log, a line at each tenth of the run.
                let tenths = done * 10 / total
                guard isTerminal || tenths > reportedTenths else { return }
                reportedTenths = tenths
                let elapsed =
                    Double((ContinuousClock.now - start).components.seconds)
                    + Double((ContinuousClock.now - start).components.attoseconds) * 1e-18
                let rate = elapsed > 0 ? Double(done) / elapsed : 0
                let remaining = rate > 0 ? Double(total - done) / rate : 0
                let line = String(
                    format: "sampling: %d/%d  %.0f samples/s  ETA %.0f s", done, total, rate, remaining)
                StandardError.print(isTerminal ? "\r" + line + "\u{1B}[K" : line, terminator: isTerminal ? "" : "\n")
            }
            if drawn, isTerminal { StandardError.print("") }
            guard !quiet else { return }
            print(
                "wrote \(summary.samplesPath) (\(summary.samples.shape[0]) samples, \(summary.evaluationCount) model evaluations per sample, \(String(format: "%.1f", summary.seconds)) s)"
            )
            if let acceptance = summary.report.acceptanceSummary { print(acceptance) }
            for picture in summary.picturePaths + [summary.reportPath] { print("wrote \(picture)") }
        } catch {
            // End a progress line before the message; no blank line when nothing was drawn.
            if drawn, isTerminal { StandardError.print("") }
            StandardError.print(error.description)
            throw ExitCode.failure
        }
    }
}
