import ArgumentParser
import Foundation
import ScoreKitCore
import ScoreKitRunner

/// `scorekit encode SOURCE --data FILE.npy`: data x₀ → latents x_T by the probability-flow ODE.
struct EncodeCommand: RegistryCommand, DistributedCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode data into latents x_T with the probability-flow ODE (RK45).",
        discussion: """
            Integrates the probability-flow ODE forward from the data (at likelihood.startTime) to \
            the prior with the recipe's likelihood.solver tolerances; the map is deterministic and \
            invertible (`scorekit decode`). --round-trip decodes the latents again and prints the RMS error.
            """
    )

    @OptionGroup var flow: FlowOptions

    @Option(name: .long, help: ArgumentHelp("The data (.npy, [N, d], data space).", valueName: "file"))
    var data: String

    @Flag(name: .customLong("round-trip"), help: "Decode the latents again and print the RMS reconstruction error.")
    var roundTrip = false

    @OptionGroup var global: GlobalOptions

    func run(registry: ComponentRegistry) throws {
        global.apply()
        let options = try flow.options(input: data, global: global)
        do {
            let summary = try FlowSession(.encode, options: options, registry: registry).run(roundTrip: roundTrip)
            guard !global.quiet else { return }
            print("encoded \(summary.result.shape[0]) points with \(summary.evaluationCount) model evaluations")
            if let error = summary.roundTripError { print(String(format: "round-trip RMS error %.3g", error)) }
            print("wrote \(summary.outputPath)")
        } catch {
            StandardError.print("\(error)")
            throw ExitCode.failure
        }
    }
}

/// `scorekit decode SOURCE --latents FILE.npy`: latents x_T → data x₀ by the probability-flow ODE.
struct DecodeCommand: RegistryCommand, DistributedCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode latents x_T into data with the probability-flow ODE (RK45).",
        discussion: "The inverse of `scorekit encode`, with the recipe's likelihood.solver tolerances."
    )

    @OptionGroup var flow: FlowOptions

    @Option(name: .long, help: ArgumentHelp("The latents (.npy, [N, d]).", valueName: "file"))
    var latents: String

    @OptionGroup var global: GlobalOptions

    func run(registry: ComponentRegistry) throws {
        global.apply()
        let options = try flow.options(input: latents, global: global)
        do {
            let summary = try FlowSession(.decode, options: options, registry: registry).run()
            guard !global.quiet else { return }
            print("decoded \(summary.result.shape[0]) points with \(summary.evaluationCount) model evaluations")
            print("wrote \(summary.outputPath)")
        } catch {
            StandardError.print("\(error)")
            throw ExitCode.failure
        }
    }
}
