/// A network whose output is K class logits per sample, `[N, K]`, not a prediction shaped like
/// its input: a noise-conditional classifier p_φ(y | x_t, t) for classifier guidance.
///
/// `makeModel(sampleShape:classCount:seed:)` gives a model of `classCount` outputs; the model's
/// `NoiseCondition` carries t (and α, σ) but no labels. Only a `ClassificationLoss` trains it,
/// and only classifier guidance (`guidance: { kind: classifier }`) samples with it; the recipe
/// checks pair them.
public protocol ClassifierArchitecture: NetworkArchitecture {}

/// A loss that trains a `ClassifierArchitecture` on labelled data: its model's output is read as
/// logits `[N, K]`, never through a `Parameterization`.
public protocol ClassificationLoss: Loss {}
