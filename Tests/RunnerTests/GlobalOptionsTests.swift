import Foundation
import Testing

/// Runs the `scorekit` binary with `arguments`; returns its exit status, standard output and error.
func runScorekitCapturing(
    _ arguments: [String], in directory: String
) throws -> (
    status: Int32, output: String, error: String
) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(scorekitBinary))
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

/// `--threads`, `--seed` and `--quiet` mean the same in every command, before or after its name.
@Suite("global options", .serialized, .enabled(if: scorekitBinaryTestsEnabled))
struct GlobalOptionsTests {
    static let repository = TrainCommandTests.repository.path

    @Test("--seed replaces the recipe's seed, before or after the subcommand")
    func seed() throws {
        for arguments in [
            ["validate", "recipes/tiny-ring.yaml", "--print-resolved", "--seed", "17"],
            ["--seed", "17", "validate", "recipes/tiny-ring.yaml", "--print-resolved"],
        ] {
            let run = try runScorekitCapturing(arguments, in: Self.repository)
            #expect(run.status == 0, "\(arguments): \(run.error)")
            #expect(run.output.contains("\nseed: 17\n"), "\(arguments)")
        }
    }

    @Test("--quiet prints nothing on success; errors still go to standard error")
    func quiet() throws {
        let ok = try runScorekitCapturing(["validate", "recipes/tiny-ring.yaml", "--quiet"], in: Self.repository)
        #expect(ok.status == 0 && ok.output.isEmpty && ok.error.isEmpty)
        let missing = try runScorekitCapturing(["--quiet", "validate", "recipes/none.yaml"], in: Self.repository)
        #expect(missing.status != 0 && missing.error.contains("recipes/none.yaml"))
    }

    @Test("out-of-range --threads and --seed are usage errors naming the option", arguments: ["threads", "seed"])
    func ranges(option: String) throws {
        let value = option == "threads" ? "0" : "-1"
        for command in ["validate", "evaluate", "plot", "likelihood", "sample", "train"] {
            let run = try runScorekitCapturing([command, "x", "--\(option)=\(value)"], in: Self.repository)
            #expect(run.status != 0 && run.error.contains("--\(option) must be"), "\(command): \(run.error)")
        }
    }
}
