/// A sampler built from other samplers, such as predictor–corrector's predictor: it names them,
/// so that checks made on a recipe's sampler (a log-density it needs, a limit its settings
/// have on the time grid) reach the samplers inside it too.
public protocol CompositeSampler: Sampler {
    /// The samplers inside, each with the key of its section in this sampler's configuration
    /// (`predictor`).
    var nestedSamplers: [(key: String, sampler: any Sampler)] { get }
}
