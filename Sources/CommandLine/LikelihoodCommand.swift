import ArgumentParser
import Foundation
import ScoreKitCore
import ScoreKitRunner
import ScoreKitSamplers

/// `scorekit likelihood SOURCE --data FILE.npy`: per-point log-likelihood by the probability-flow ODE.
struct LikelihoodCommand: RegistryCommand, DistributedCommand {
    static let configuration = CommandConfiguration(
        commandName: "likelihood",
        abstract: "Log-likelihood of data under a model, by the probability-flow ODE (nats, bits/dim).",
        discussion: """
            Integrates the probability-flow ODE and the divergence of its drift from the data to the \
            prior with RK45 (the recipe's likelihood section: divergence, startTime, solver.rtol, \
            solver.atol, …). Writes the log-likelihood of each point in nats as .npy ([N]) and prints \
            the mean, its standard error and bits per dimension. Without --data, the recipe's held-out \
            data is used (else its training data).
            """
    )

    @OptionGroup var flow: FlowOptions

    @Option(name: .long, help: ArgumentHelp("The points (.npy, [N, d], data space).", valueName: "file"))
    var data: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Use these Hutchinson probes instead of drawing them (.npy, [probeCount, N, d], model space).",
            valueName: "file"))
    var probes: String?

    @OptionGroup var global: GlobalOptions

    func run(registry: ComponentRegistry) throws {
        global.apply()
        var options = try flow.options(input: data, global: global)
        options.probes = probes
        do {
            let summary = try FlowSession(.likelihood, options: options, registry: registry).run()
            guard !global.quiet, let estimate = summary.estimate else { return }
            // Bits per dimension include the bin width's offset −log₂ Δ for discrete data
            // (`likelihood.quantizationBinWidth`); standard errors scale by 1/(d·ln 2).
            let perBit = Double(estimate.dimension) * log(2.0)
            var line = String(
                format: "mean log-likelihood %.4f ± %.4f nats over %d points (%.4f ± %.4f bits/dim",
                estimate.meanLogLikelihood, estimate.standardErrorOfMean, estimate.logLikelihoods.count,
                estimate.bitsPerDimension, estimate.standardErrorOfMean / perBit)
            if estimate.backwardPassesPerEvaluation > 0, estimate.estimatorStandardError.isFinite,
                estimate.estimatorStandardError > 0
            {
                line += String(format: "; Hutchinson's share ± %.4f", estimate.estimatorStandardError / perBit)
            }
            if estimate.quantizationBinWidth > 0 {
                line += String(format: ", discrete with bins of %g", estimate.quantizationBinWidth)
            }
            print(line + "); \(summary.evaluationCount) model evaluations")
            print("wrote \(summary.outputPath)")
        } catch {
            StandardError.print("\(error)")
            throw ExitCode.failure
        }
    }
}
