import Foundation
import ScoreKitCore
import ScoreKitRunner
import ScoreKitSDEs
import Testing

/// `scorekit recipe from-diffusers`: diffusers' own scheduler configs
/// (scripts/fixtures/diffusers_configs.py) converted and run against diffusers' samples
/// (`SchedulerReferenceTests`' fixture), and every refusal naming its key.
@Suite("diffusers scheduler configs (Tests/Fixtures/diffusers-configs)")
struct DiffusersConfigTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/diffusers-configs").path

    static func path(_ name: String) -> String { directory + "/" + name + ".json" }

    static func text(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    static func convert(_ name: String, steps: Int = 12) throws -> DiffusersSchedulerConfig {
        try DiffusersSchedulerConfig.load(contentsOf: path(name), options: .init(steps: steps))
    }

    /// The refusals of converting `text` (none if it converts); other errors are recorded as issues.
    static func refusals(_ text: String, steps: Int = 12, eta: Double? = nil) -> [DiffusersRefusal] {
        do {
            _ = try DiffusersSchedulerConfig.convert(text: text, file: "c.json", options: .init(steps: steps, eta: eta))
            return []
        } catch {
            if error.refusals.isEmpty { Issue.record("not a refusal: \(error)") }
            return error.refusals
        }
    }

    /// The fixture `name` with `key` set to the JSON `value` (added after `{` if not there).
    static func edited(_ name: String, _ changes: [(key: String, value: String)]) throws -> String {
        var lines = try text(name).components(separatedBy: "\n")
        for (key, value) in changes {
            if let i = lines.firstIndex(where: { $0.hasPrefix("  \"\(key)\":") }) {
                let comma = lines[i].hasSuffix(",") ? "," : ""
                lines[i] = "  \"\(key)\": \(value)\(comma)"
            } else {
                lines.insert("  \"\(key)\": \(value),", at: 1)
            }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Parity

    /// A fixture config and the case of `scheduler-reference.safetensors` diffusers made with it.
    struct ParityCase: Sendable, CustomTestStringConvertible {
        var config: String
        var reference: String
        var testDescription: String { "\(config) → \(reference)" }
    }

    static let parityCases = [
        ParityCase(config: "ddpm", reference: "ddpm-eps"), ParityCase(config: "ddim", reference: "ddim-eps"),
        ParityCase(config: "dpm-solver-multistep", reference: "dpm-2m-eps"),
        ParityCase(config: "unipc", reference: "unipc-bh2-eps"), ParityCase(config: "euler", reference: "euler-eps"),
        ParityCase(config: "euler-ancestral", reference: "euler-ancestral-eps"),
        ParityCase(config: "heun", reference: "heun-eps"),
    ]

    /// The converted sections, with the exact mixture's network and data added, give diffusers'
    /// samples (the same start and variance noise) within 1e-4 RMS.
    @Test(arguments: parityCases)
    func reproducesDiffusers(_ c: ParityCase) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let converted = try Self.convert(c.config)
        #expect(converted.sections["clipping"] == nil)
        let recipe =
            converted.yaml(source: c.config + ".json")
            + "network: { kind: exact-mixture }\ndata: \(SchedulerReferenceTests.data)\nseed: 0\n"
        let (ours, theirs) = try SchedulerReferenceTests.samples(recipe: recipe, case: c.reference, in: dir)
        let rms = Double(square(ours - theirs).mean().scalars[0]).squareRoot()
        #expect(rms <= 1e-4, "\(c.config): RMS \(rms)\n\(recipe)")
    }

    /// Every key of each class's default config is in the class's table and is read.
    @Test(arguments: ["ddpm", "ddim", "dpm-solver-multistep", "euler", "euler-ancestral", "heun", "unipc"])
    func everyKeyIsKnownAndRead(_ name: String) throws {
        let converted = try Self.convert(name)
        guard case .object(let members) = try DiffusersJSONParser.parse(try Self.text(name)) else {
            Issue.record("not an object")
            return
        }
        let written = Set(members.map(\.key).filter { !$0.hasPrefix("_") })
        #expect(written == Set(converted.schedulerClass.keys))
        #expect(converted.readKeys == Set(converted.schedulerClass.keys))
    }

    /// The whole output for one config: header, then the sections in recipe order.
    @Test func stableDiffusionDDIM() throws {
        let converted = try Self.convert("stable-diffusion-ddim", steps: 25)
        #expect(
            converted.yaml(source: "scheduler_config.json") == """
                # From scheduler_config.json (DDIMScheduler, diffusers 0.42.1) with --steps 25,
                # by scorekit recipe from-diffusers. Not a whole recipe: add network and data (and loss,
                # optimizer and training to train), or append this to a recipe that has none of these sections.
                sde:
                  kind: ddpm
                  trainStepCount: 1000
                  betaSchedule: scaledLinear
                  betaStart: 0.00085
                  betaEnd: 0.012
                  rescale: none
                parameterization:
                  kind: epsilon
                timeGrid:
                  kind: discrete
                  steps: 25
                  spacing: leading
                  stepsOffset: 1
                  convention: ddim
                  finalStep: none
                sampler:
                  kind: ddim
                  eta: 0.0

                """)
    }

    /// Karras σ's: the converted grid's noise levels are diffusers' (karras-sigmas.json), for the
    /// σ-space schedulers (σ range of the visited timesteps) and the multistep ones (whole lattice).
    @Test(arguments: ["euler-karras", "euler-karras-trailing", "dpm-karras-leading", "heun-karras", "unipc-karras"])
    func karrasSigmas(_ name: String) throws {
        let converted = try Self.convert(name)
        let grid = try #require(converted.sections["timeGrid"])
        var configuration = KarrasTimeGrid.Configuration()
        configuration.steps = try #require(grid["steps"]?.integerValue)
        configuration.rho = try #require(grid["rho"]?.numberValue)
        configuration.endTime = try #require(grid["endTime"]?.numberValue)
        let sde = try DiscreteDDPMSDE(configuration: .init())
        let ours = try KarrasTimeGrid(configuration: configuration).times(for: sde).dropLast()
            .map { sde.marginal(at: $0).noiseLevel }
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.path("karras-sigmas")))
        let all = try JSONDecoder().decode([String: [Double]].self, from: data)
        let theirs = try #require(all[name])
        #expect(ours.count == theirs.count)
        for (a, b) in zip(ours, theirs) { #expect(abs(a - b) <= 1e-4 * b, "\(name): σ \(a) against \(b)") }
    }

    /// v and x₀ prediction: each class's config with `prediction_type` changed converts to the
    /// matching parameterization and reproduces diffusers' samples within 1e-4 RMS.
    @Test(
        arguments: ["ddpm", "ddim", "dpm-solver-multistep", "unipc", "euler", "euler-ancestral", "heun"].flatMap { c in
            [("v_prediction", "v"), ("sample", "x0")].compactMap { (prediction, short) -> (String, String, String)? in
                c == "euler-ancestral" && short == "x0" ? nil : (c, prediction, short)
            }
        })
    func reproducesOtherPredictions(config: String, prediction: String, short: String) throws {
        let names = [
            "ddpm": "ddpm", "ddim": "ddim", "dpm-solver-multistep": "dpm-2m", "unipc": "unipc-bh2", "euler": "euler",
            "euler-ancestral": "euler-ancestral", "heun": "heun",
        ]
        let reference = try #require(names[config]) + "-" + short
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let converted = try DiffusersSchedulerConfig.convert(
            text: try Self.edited(config, [(key: "prediction_type", value: "\"\(prediction)\"")]),
            file: config + ".json", options: .init(steps: 12))
        let recipe =
            converted.yaml(source: config + ".json")
            + "network: { kind: exact-mixture }\ndata: \(SchedulerReferenceTests.data)\nseed: 0\n"
        let (ours, theirs) = try SchedulerReferenceTests.samples(recipe: recipe, case: reference, in: dir)
        let rms = Double(square(ours - theirs).mean().scalars[0]).squareRoot()
        #expect(rms <= 1e-4, "\(config) \(prediction): RMS \(rms)\n\(recipe)")
    }

    /// Configs with `clip_sample` or `thresholding` on convert to a `clipping` section that
    /// resolves and reproduces diffusers' clipped and thresholded runs within 1e-4 RMS.
    @Test(arguments: [
        ("ddpm", [("clip_sample", "true"), ("clip_sample_range", "1.0")], "ddpm-clip-eps"),
        ("ddim", [("clip_sample", "true"), ("clip_sample_range", "1.0")], "ddim-clip-eps"),
        (
            "dpm-solver-multistep",
            [("thresholding", "true"), ("dynamic_thresholding_ratio", "0.9"), ("sample_max_value", "1.2")],
            "dpm-2m-threshold-eps"
        ),
        (
            "unipc", [("thresholding", "true"), ("dynamic_thresholding_ratio", "0.9"), ("sample_max_value", "1.2")],
            "unipc-threshold-eps"
        ),
    ])
    func reproducesClippedRuns(config: String, changes: [(String, String)], reference: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let converted = try DiffusersSchedulerConfig.convert(
            text: try Self.edited(config, changes.map { (key: $0.0, value: $0.1) }), file: config + ".json",
            options: .init(steps: 12))
        #expect(converted.sections["clipping"] != nil)
        let recipe =
            converted.yaml(source: config + ".json")
            + "network: { kind: exact-mixture }\ndata: \(SchedulerReferenceTests.data)\nseed: 0\n"
        let (ours, theirs) = try SchedulerReferenceTests.samples(recipe: recipe, case: reference, in: dir)
        let rms = Double(square(ours - theirs).mean().scalars[0]).squareRoot()
        #expect(rms <= 1e-4, "\(config): RMS \(rms)\n\(recipe)")
    }

    @Test func clippingSections() throws {
        let clip = try DiffusersSchedulerConfig.convert(
            text: try Self.edited("ddpm", [("clip_sample", "true"), ("clip_sample_range", "2.5")]), file: "c.json")
        #expect(clip.sections["clipping"] == ["mode": "static", "range": 2.5])
        let threshold = try DiffusersSchedulerConfig.convert(
            text: try Self.edited("unipc", [("thresholding", "true"), ("sample_max_value", "3.0")]), file: "c.json")
        #expect(threshold.sections["clipping"] == ["mode": "dynamic", "percentile": 0.995, "range": 3.0])
    }

    @Test func optionsAndFinalSteps() throws {
        let ddim = try DiffusersSchedulerConfig.convert(
            text: try Self.text("ddim"), file: "c.json", options: .init(steps: 10, eta: 1))
        #expect(ddim.sections["sampler"] == ["kind": "ddim", "eta": 1.0])
        let dpm = try DiffusersSchedulerConfig.convert(
            text: try Self.edited("dpm-solver-multistep", [("final_sigmas_type", "\"sigma_min\"")]), file: "c.json",
            options: .init(steps: 20))
        #expect(dpm.sections["timeGrid"]?["finalStep"] == "none")
        let sde = try DiffusersSchedulerConfig.convert(
            text: try Self.edited("dpm-solver-multistep", [("algorithm_type", "\"sde-dpmsolver++\"")]), file: "c.json")
        #expect(sde.sections["sampler"]?["kind"] == "dpmpp-2m-sde")
        let bh1 = try DiffusersSchedulerConfig.convert(
            text: try Self.edited("unipc", [("solver_type", "\"bh1\"")]), file: "c.json")
        #expect(bh1.notices.count == 1)
        let noCorrector = try DiffusersSchedulerConfig.convert(
            text: try Self.edited("unipc", [("disable_corrector", "[0, 1, 2, 3]")]), file: "c.json",
            options: .init(steps: 5))
        #expect(noCorrector.sections["sampler"]?["corrector"] == "none")
    }

    // MARK: Refusals

    /// One key changed from a fixture, and the keys that must then be refused.
    struct RefusalCase: Sendable, CustomTestStringConvertible {
        var config: String
        var changes: [(key: String, value: String)]
        var refused: [String]
        var testDescription: String {
            "\(config): " + changes.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
        }
    }

    static let refusalCases = [
        RefusalCase(config: "ddpm", changes: [("variance_type", "\"learned_range\"")], refused: ["variance_type"]),
        RefusalCase(config: "ddpm", changes: [("beta_schedule", "\"sigmoid\"")], refused: ["beta_schedule"]),
        RefusalCase(config: "ddpm", changes: [("trained_betas", "[0.1, 0.2]")], refused: ["trained_betas"]),
        RefusalCase(config: "ddim", changes: [("timestep_spacing", "\"trailing\"")], refused: ["timestep_spacing"]),
        RefusalCase(config: "ddim", changes: [("steps_offset", "100")], refused: ["steps_offset"]),
        RefusalCase(config: "ddim", changes: [("clip_sampel", "true")], refused: ["clip_sampel"]),
        RefusalCase(config: "dpm-solver-multistep", changes: [("solver_order", "3")], refused: ["solver_order"]),
        RefusalCase(
            config: "dpm-solver-multistep", changes: [("algorithm_type", "\"dpmsolver\"")], refused: ["algorithm_type"]),
        RefusalCase(
            config: "dpm-solver-multistep", changes: [("final_sigmas_type", "\"sigma_min\"")],
            refused: ["lower_order_final"]),
        RefusalCase(
            config: "dpm-solver-multistep",
            changes: [("use_karras_sigmas", "true"), ("final_sigmas_type", "\"sigma_min\"")],
            refused: ["final_sigmas_type", "lower_order_final"]),
        RefusalCase(
            config: "dpm-solver-multistep", changes: [("lambda_min_clipped", "-3.0")], refused: ["lambda_min_clipped"]),
        RefusalCase(
            config: "euler", changes: [("interpolation_type", "\"log_linear\"")], refused: ["interpolation_type"]),
        RefusalCase(
            config: "euler", changes: [("timestep_type", "\"continuous\""), ("prediction_type", "\"v_prediction\"")],
            refused: ["timestep_type"]),
        RefusalCase(
            config: "euler", changes: [("use_karras_sigmas", "true"), ("timestep_spacing", "\"leading\"")],
            refused: ["use_karras_sigmas"]),
        RefusalCase(
            config: "euler", changes: [("rescale_betas_zero_snr", "true")], refused: ["rescale_betas_zero_snr"]),
        RefusalCase(
            config: "euler-ancestral", changes: [("prediction_type", "\"sample\"")], refused: ["prediction_type"]),
        RefusalCase(config: "heun", changes: [("use_exponential_sigmas", "true")], refused: ["use_exponential_sigmas"]),
        RefusalCase(
            config: "heun", changes: [("rescale_betas_zero_snr", "false")], refused: ["rescale_betas_zero_snr"]),
        RefusalCase(config: "unipc", changes: [("disable_corrector", "[1]")], refused: ["disable_corrector"]),
        RefusalCase(config: "unipc", changes: [("solver_p", "{}")], refused: ["solver_p"]),
        RefusalCase(config: "unipc", changes: [("use_flow_sigmas", "true")], refused: ["use_flow_sigmas"]),
        RefusalCase(config: "unipc", changes: [("solver_order", "4")], refused: ["solver_order"]),
        RefusalCase(config: "ddpm", changes: [("beta_start", "\"abc\"")], refused: ["beta_start"]),
        RefusalCase(config: "ddpm", changes: [("num_train_timesteps", "1000.5")], refused: ["num_train_timesteps"]),
        RefusalCase(config: "ddim", changes: [("set_alpha_to_one", "1")], refused: ["set_alpha_to_one"]),
    ]

    @Test(arguments: refusalCases)
    func refusesByKey(_ c: RefusalCase) throws {
        let refusals = Self.refusals(try Self.edited(c.config, c.changes))
        #expect(refusals.compactMap(\.key) == c.refused, "\(refusals)")
        for refusal in refusals {
            let key = try #require(refusal.key)
            #expect(refusal.description.hasPrefix("c.json:"), "located: \(refusal)")
            #expect(refusal.description.contains("error: key '\(key)' = "), "\(refusal)")
            #expect(!refusal.notes.isEmpty, "says what converts: \(refusal)")
        }
    }

    /// Several refused keys at once, all listed in file order, each with its line.
    @Test func severalAtOnce() throws {
        let refusals = Self.refusals(try Self.text("dpm-refused"))
        #expect(
            refusals.compactMap(\.key) == ["not_a_scheduler_key", "solver_type", "use_lu_lambdas", "variance_type"],
            "\(refusals)")
        #expect(refusals.allSatisfy { $0.location != nil })
        let error = DiffusersConfigError.refused(refusals)
        #expect(error.description.split(separator: "\n").filter { $0.contains(": error: ") }.count == 4)
    }

    /// One message in full.
    @Test func refusalWording() throws {
        let refusals = Self.refusals(try Self.text("dpm-refused"))
        let solverType = try #require(refusals.first { $0.key == "solver_type" })
        #expect(
            solverType.description == """
                c.json:20:3: error: key 'solver_type' = "heun": ScoreKit's DPM-Solver++(2M) is the midpoint form, −½·α_t·(e^{−h} − 1)·D₁; the heun form weights D₁ by α_t·((e^{−h} − 1)/h + 1)
                  solver_type "midpoint" converts
                """)
        let unknown = try #require(refusals.first { $0.key == "not_a_scheduler_key" })
        #expect(unknown.description.hasPrefix("c.json:14:3: error: key 'not_a_scheduler_key' = 1: not a key of"))
    }

    @Test func commandOptions() {
        let eta = Self.refusals(#"{"_class_name": "EulerDiscreteScheduler"}"#, eta: 0.5)
        #expect(
            eta.map(\.description) == [
                "error: --eta: only DDIMScheduler takes an η\n  EulerDiscreteScheduler's step has no eta; leave --eta out"
            ])
        let steps = Self.refusals(#"{"_class_name": "DDIMScheduler"}"#, steps: 0)
        #expect(steps.first?.description.hasPrefix("error: --steps 0: out of range") == true)
        let ddimEta = Self.refusals(#"{"_class_name": "DDIMScheduler"}"#, eta: 2)
        #expect(ddimEta.count == 1)
    }

    @Test func unknownOrMissingClass() {
        #expect(
            throws: DiffusersConfigError.unsupportedClass(
                name: "\"PNDMScheduler\"", location: .init(file: "c.json", line: 1, column: 2))
        ) {
            try DiffusersSchedulerConfig.convert(text: #"{"_class_name": "PNDMScheduler"}"#, file: "c.json")
        }
        do {
            _ = try DiffusersSchedulerConfig.convert(text: #"{"beta_start": 0.1}"#, file: "c.json")
            Issue.record("converted a config without a class")
        } catch {
            #expect(error.description.hasPrefix("c.json:1:1: error: the config has no '_class_name'"))
            #expect(error.description.contains("UniPCMultistepScheduler"))
        }
    }

    @Test func malformedFiles() throws {
        #expect(
            throws: DiffusersConfigError.invalidJSON(
                problem: "expected a key in double quotes", location: .init(file: "c.json", line: 2, column: 1))
        ) {
            try DiffusersSchedulerConfig.convert(text: "{\"_class_name\": \"DDIMScheduler\",\n}", file: "c.json")
        }
        #expect(throws: DiffusersConfigError.notAnObject(found: "a list", file: "c.json")) {
            try DiffusersSchedulerConfig.convert(text: "[1, 2]", file: "c.json")
        }
        #expect(
            throws: DiffusersConfigError.invalidJSON(
                problem: "key 'a' written twice", location: .init(file: "c.json", line: 1, column: 10))
        ) {
            try DiffusersSchedulerConfig.convert(text: #"{"a": 1, "a": 2}"#, file: "c.json")
        }
        #expect(throws: DiffusersConfigError.fileNotFound(path: "no-such-config.json")) {
            try DiffusersSchedulerConfig.load(contentsOf: "no-such-config.json")
        }
    }

    @Test func pythonNumbers() throws {
        let json = try DiffusersJSONParser.parse(#"{"a": -Infinity, "b": NaN, "c": 1e-4, "d": "\u00e9\n"}"#)
        guard case .object(let members) = json else {
            Issue.record("not an object")
            return
        }
        #expect(members[0].value == .number(-.infinity, text: "-Infinity"))
        #expect(members[2].value == .number(1e-4, text: "1e-4"))
        #expect(members[3].value == .string("é\n"))
    }
}

/// The command itself, run as the built `scorekit`.
@Suite("scorekit recipe from-diffusers", .serialized, .enabled(if: scorekitBinaryTestsEnabled))
struct FromDiffusersCommandTests {
    @Test func printsWritesAndRefuses() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = DiffusersConfigTests.path("unipc")
        let printed = try runScorekitCapturing(["recipe", "from-diffusers", config, "--steps", "12"], in: dir)
        #expect(printed.status == 0, "\(printed.error)")
        #expect(printed.output == (try DiffusersConfigTests.convert("unipc").yaml(source: config)))

        let written = try runScorekitCapturing(
            ["recipe", "from-diffusers", config, "--steps", "12", "--out", "s.yaml"], in: dir)
        #expect(written.status == 0 && written.output.isEmpty, "\(written.error)")
        #expect(try String(contentsOfFile: dir + "/s.yaml", encoding: .utf8) == printed.output)

        let refused = DiffusersConfigTests.path("dpm-refused")
        let failed = try runScorekitCapturing(["recipe", "from-diffusers", refused], in: dir)
        #expect(failed.status == 1 && failed.output.isEmpty)
        #expect(failed.error.hasPrefix(refused + ":14:3: error: key 'not_a_scheduler_key' = 1"), "\(failed.error)")

        let missing = try runScorekitCapturing(["recipe", "from-diffusers", "none.json"], in: dir)
        #expect(missing.status == 1 && missing.error.hasPrefix("error: no scheduler config at 'none.json'"))
    }
}
