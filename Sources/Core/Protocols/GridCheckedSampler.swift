/// A sampler whose settings have a limit that depends on the process and the time grid, and
/// can be checked before it runs: annealed Langevin's step size against the grid's smallest
/// noise level, say.
///
/// A refinement, not a flag (STYLE.md §4): the Runner asks `sampler as? any GridCheckedSampler`
/// when it resolves a recipe and refuses a recipe whose sampler would fail, pointing at the
/// setting (`SamplerSettingProblem.key`).
public protocol GridCheckedSampler: Sampler {
    /// Why this sampler cannot run over `times` (a time grid's, for `sde`), or `nil` when it can.
    func settingProblem(times: [Double], sde: some ForwardSDE) -> SamplerSettingProblem?
}

/// A sampler setting that breaks a limit for a process and time grid: which key, what is wrong,
/// and what to do.
public struct SamplerSettingProblem: Sendable, Equatable {
    /// The configuration key that breaks the limit, such as `stepSize`.
    public var key: String
    /// What is wrong, with the limit: "stepSize 2e-05 is above the stability limit 2·σ_L² = 2e-08 …".
    public var problem: String
    /// What to do instead.
    public var hint: String

    /// A problem with `key`.
    public init(key: String, problem: String, hint: String) {
        self.key = key
        self.problem = problem
        self.hint = hint
    }
}
