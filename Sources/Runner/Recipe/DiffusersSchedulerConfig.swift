import Foundation
package import ScoreKitCore

/// A diffusers scheduler config (`scheduler_config.json`) turned into the ScoreKit recipe
/// sections that sample the same way: `sde`, `parameterization`, `timeGrid`, `sampler` and,
/// when the config clips x̂₀, `clipping`.
///
/// ```
/// num_train_timesteps, beta_*          sde: { kind: ddpm, trainStepCount, betaSchedule, betaStart, betaEnd, rescale }
/// prediction_type                      parameterization: epsilon | velocity | denoised
/// timestep_spacing, steps_offset, …    timeGrid: discrete (spacing, convention, finalStep) or karras
/// the class and its solver keys        sampler: ancestral | ddim | dpm-solver-plus-plus | dpmpp-2m-sde | …
/// clip_sample, thresholding            clipping: static | dynamic
/// ```
/// The number of inference steps is not part of a config: it is `Options.steps`. Every key of
/// the supported classes is listed (`DiffusersSchedulerClass.keys`, diffusers 0.42.1); a key
/// whose value ScoreKit cannot reproduce is refused by name with what it can express, and a
/// key not in the list is refused too, so nothing is dropped silently. Keys starting with `_`
/// (`_class_name`, `_diffusers_version`) are metadata.
/// - Note: The mapping is checked against diffusers' own samples in `DiffusersConfigTests`
///   (the fixtures of `SchedulerReferenceTests`).
package struct DiffusersSchedulerConfig: Sendable {
    /// What the command line adds to a config.
    package struct Options: Sendable, Equatable {
        /// The number of inference steps (`num_inference_steps` of `set_timesteps`).
        package var steps = 50
        /// DDIM's η (`eta` of `DDIMScheduler.step`); only for `DDIMScheduler`, 0 when `nil`.
        package var eta: Double?

        package init(steps: Int = 50, eta: Double? = nil) {
            self.steps = steps
            self.eta = eta
        }
    }

    /// The config's class.
    package var schedulerClass: DiffusersSchedulerClass
    /// The recipe sections, in recipe order: sde, parameterization, timeGrid, sampler, clipping.
    package var sections: ConfigurationValue
    /// Things worth knowing that do not stop the conversion, each one line.
    package var notices: [String]
    /// The keys the conversion read (every key of the class, written or defaulted).
    package var readKeys: Set<String>
    /// `_diffusers_version` of the file, if written.
    package var diffusersVersion: String?
    /// The options it was made with.
    package var options: Options

    /// Converts the config at `path`.
    /// - Throws: `DiffusersConfigError` for a missing or unreadable file, malformed JSON, or
    ///   refused keys (all of them at once).
    package static func load(
        contentsOf path: String, options: Options = Options()
    ) throws(DiffusersConfigError)
        -> DiffusersSchedulerConfig
    {
        try convert(text: readText(at: path), file: path, options: options)
    }

    /// Converts the JSON `text`; `file` is what messages call it.
    package static func convert(
        text: String, file: String, options: Options = Options()
    ) throws(DiffusersConfigError)
        -> DiffusersSchedulerConfig
    {
        let json: DiffusersJSON
        do {
            json = try DiffusersJSONParser.parse(text)
        } catch {
            throw .invalidJSON(
                problem: error.problem, location: SourceLocation(file: file, line: error.line, column: error.column))
        }
        guard case .object(let members) = json else {
            throw .notAnObject(found: json.kindName, file: file)
        }
        let named = members.first { $0.key == "_class_name" }
        guard case .string(let name)? = named?.value, let schedulerClass = DiffusersSchedulerClass(rawValue: name)
        else {
            throw .unsupportedClass(
                name: named?.value.rendered,
                location: named.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
                    ?? SourceLocation(file: file, line: 1, column: 1))
        }
        var reader = DiffusersConfigReader(file: file, members: members)
        var conversion = DiffusersConversion(schedulerClass: schedulerClass, options: options)
        let sections = conversion.convert(&reader)
        let known = Set(schedulerClass.keys)
        var refusals = reader.refusals
        for member in members where !member.key.hasPrefix("_") && !known.contains(member.key) {
            let suggestion = Spelling.closest(to: member.key, among: schedulerClass.keys)
            refusals.append(
                DiffusersRefusal(
                    key: member.key, value: member.value.rendered,
                    location: SourceLocation(file: file, line: member.line, column: member.column),
                    reason: "not a key of \(schedulerClass.rawValue) in diffusers 0.42.1",
                    notes: [
                        "ScoreKit converts only the keys it knows, so that none changes the sampler unseen",
                        "keys of \(schedulerClass.rawValue): " + schedulerClass.keys.joined(separator: ", ")
                            + (suggestion.map { "; did you mean '\($0)'?" } ?? ""),
                    ]))
        }
        guard refusals.isEmpty else {
            // In file order; refusals of defaults and options (no location) last.
            let ordered = refusals.enumerated().sorted { a, b in
                switch (a.element.location, b.element.location) {
                case let (x?, y?): (x.line, x.column, a.offset) < (y.line, y.column, b.offset)
                case (_?, nil): true
                case (nil, _?): false
                case (nil, nil): a.offset < b.offset
                }
            }
            throw .refused(ordered.map(\.element))
        }
        var version: String?
        if case .string(let written)? = members.first(where: { $0.key == "_diffusers_version" })?.value {
            version = written
        }
        return DiffusersSchedulerConfig(
            schedulerClass: schedulerClass, sections: sections, notices: conversion.notices,
            readKeys: reader.readKeys, diffusersVersion: version, options: options)
    }

    /// The sections as a YAML document, headed by comments naming `source`, the class and what to add.
    package func yaml(source: String) -> String {
        let version = diffusersVersion.map { ", diffusers \($0)" } ?? ""
        let eta = options.eta.map { ", --eta \($0)" } ?? ""
        return YAMLWriter.render(
            sections,
            header: [
                "From \(source) (\(schedulerClass.rawValue)\(version)) with --steps \(options.steps)\(eta),",
                "by scorekit recipe from-diffusers. Not a whole recipe: add network and data (and loss,",
                "optimizer and training to train), or append this to a recipe that has none of these sections.",
            ])
    }

    /// Writes `yaml(source:)` to `path`, atomically (a temporary file, then a rename).
    package func write(to path: String, source: String) throws(DiffusersConfigError) {
        do {
            try FileIO.writeAtomically(Array(yaml(source: source).utf8), to: path)
        } catch {
            throw .writeFailed(path: path, reason: "\(error)")
        }
    }

    /// The text of the file at `path`: at most `ConfigurationLimits.documentByteCount` bytes of UTF-8.
    static func readText(at path: String) throws(DiffusersConfigError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "it is a folder") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: "permission denied")
        }
        defer { try? handle.close() }
        let limit = ConfigurationLimits.documentByteCount
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        guard data.count <= limit else {
            throw .unreadable(
                path: path, reason: "it is longer than \(limit) bytes; a scheduler config is a few hundred")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "it is not UTF-8 text")
        }
        return text
    }
}

/// The diffusers scheduler classes `DiffusersSchedulerConfig` converts, by `_class_name`.
package enum DiffusersSchedulerClass: String, CaseIterable, Sendable {
    case ddpm = "DDPMScheduler"
    case ddim = "DDIMScheduler"
    case dpmSolverMultistep = "DPMSolverMultistepScheduler"
    case eulerDiscrete = "EulerDiscreteScheduler"
    case eulerAncestralDiscrete = "EulerAncestralDiscreteScheduler"
    case heunDiscrete = "HeunDiscreteScheduler"
    case uniPCMultistep = "UniPCMultistepScheduler"

    /// Every `__init__` argument of the class in diffusers 0.42.1, in its order: the keys a
    /// config of it may hold. A key added by a later diffusers is refused until listed here.
    package var keys: [String] {
        let betas = ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas"]
        let thresholding = ["thresholding", "dynamic_thresholding_ratio"]
        switch self {
        case .ddpm:
            return betas + ["variance_type", "clip_sample", "prediction_type"] + thresholding
                + [
                    "clip_sample_range", "sample_max_value", "timestep_spacing", "steps_offset",
                    "rescale_betas_zero_snr",
                ]
        case .ddim:
            return betas + ["clip_sample", "set_alpha_to_one", "steps_offset", "prediction_type"] + thresholding
                + ["clip_sample_range", "sample_max_value", "timestep_spacing", "rescale_betas_zero_snr"]
        case .dpmSolverMultistep:
            return betas + ["solver_order", "prediction_type"] + thresholding + [
                "sample_max_value", "algorithm_type", "solver_type", "lower_order_final", "euler_at_final",
                "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "use_lu_lambdas", "use_flow_sigmas",
                "flow_shift", "final_sigmas_type", "lambda_min_clipped", "variance_type", "timestep_spacing",
                "steps_offset", "rescale_betas_zero_snr", "use_dynamic_shifting", "time_shift_type",
            ]
        case .eulerDiscrete:
            return betas + [
                "prediction_type", "interpolation_type", "use_karras_sigmas", "use_exponential_sigmas",
                "use_beta_sigmas", "sigma_min", "sigma_max", "timestep_spacing", "timestep_type", "steps_offset",
                "rescale_betas_zero_snr", "final_sigmas_type",
            ]
        case .eulerAncestralDiscrete:
            return betas + ["prediction_type", "timestep_spacing", "steps_offset", "rescale_betas_zero_snr"]
        case .heunDiscrete:
            return betas + [
                "prediction_type", "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "clip_sample",
                "clip_sample_range", "timestep_spacing", "steps_offset",
            ]
        case .uniPCMultistep:
            return betas + ["solver_order", "prediction_type"] + thresholding + [
                "sample_max_value", "predict_x0", "solver_type", "lower_order_final", "disable_corrector", "solver_p",
                "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "use_flow_sigmas", "flow_shift",
                "timestep_spacing", "steps_offset", "final_sigmas_type", "rescale_betas_zero_snr",
                "use_dynamic_shifting", "time_shift_type", "sigma_min", "sigma_max", "shift_terminal",
            ]
        }
    }
}

/// Why a diffusers config was not converted.
package enum DiffusersConfigError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case invalidJSON(problem: String, location: SourceLocation)
    case notAnObject(found: String, file: String)
    /// `_class_name` missing (`name` nil) or not a supported class.
    case unsupportedClass(name: String?, location: SourceLocation)
    /// Keys ScoreKit cannot express, in file order.
    case refused([DiffusersRefusal])
    /// The sections could not be written to `path`.
    case writeFailed(path: String, reason: String)

    /// The refusals, for `.refused`; empty otherwise.
    package var refusals: [DiffusersRefusal] {
        if case .refused(let refusals) = self { refusals } else { [] }
    }

    package var description: String {
        let supported = "supported classes: " + DiffusersSchedulerClass.allCases.map(\.rawValue).joined(separator: ", ")
        switch self {
        case .fileNotFound(let path):
            return "error: no scheduler config at '\(path)'\n  give the path of a diffusers scheduler_config.json"
        case .unreadable(let path, let reason):
            return "\(path): error: cannot read the scheduler config: \(reason)"
        case .invalidJSON(let problem, let location):
            return
                "\(location): error: invalid JSON: \(problem)\n  a scheduler config is the JSON diffusers writes with save_config"
        case .notAnObject(let found, let file):
            return "\(file):1:1: error: a scheduler config is a JSON object of keys, found \(found)"
        case .unsupportedClass(let name?, let location):
            return "\(location): error: key '_class_name' = \(name): not a scheduler ScoreKit converts\n  \(supported)"
        case .unsupportedClass(nil, let location):
            return
                "\(location): error: the config has no '_class_name', so its scheduler is unknown\n  add \"_class_name\": the class that wrote it; \(supported)"
        case .refused(let refusals):
            return refusals.map(\.description).joined(separator: "\n")
        case .writeFailed(let path, let reason):
            return "error: cannot write '\(path)': \(reason)"
        }
    }
}
