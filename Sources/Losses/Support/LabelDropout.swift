public import ScoreKitCore

/// Replaces class labels by the null label at random, for classifier-free guidance training.
///
/// ```
/// y_i ← ∅ (NoiseCondition.nullLabel)   with probability p, independently per sample
/// ```
/// One network then learns both the conditional and the unconditional score, which guidance
/// mixes at sampling time (Ho & Salimans 2022; p = 0.1–0.2 there). The uniforms come from each
/// sample's own stream of the `NoiseSource` (one draw per sample), so which samples lose their
/// label does not depend on the batch size. Nothing is drawn when p = 0 or there are no labels,
/// so unconditional training consumes exactly the noise it did before.
public enum LabelDropout {
    /// `labels` with each replaced by `NoiseCondition.nullLabel` with probability `probability`.
    public static func apply(_ labels: [Int]?, probability: Double, noise: inout some NoiseSource) -> [Int]? {
        guard let labels, probability > 0, !labels.isEmpty else { return labels }
        let u = noise.uniform([labels.count]).scalars
        return zip(labels, u).map { label, value in Double(value) < probability ? NoiseCondition.nullLabel : label }
    }

    /// Checks a `labelDropout` setting: a probability in [0, 1].
    static func validate(_ probability: Double) throws(ConfigurationError) {
        guard (0...1).contains(probability) else {
            throw .outOfRange(key: "labelDropout", value: "\(probability)", expected: "a probability in [0, 1]")
        }
    }
}
