import ScoreKitCore
import ScoreKitMetrics

extension EvaluationReport {
    /// Metrics of generated images in the feature space of an `ImageClassifier` trained on the
    /// data's training part.
    public struct ImageMetrics: Sendable, Equatable {
        /// The Fréchet distance between the samples' features and the held-out images'.
        public var frechetDistance: Double
        /// The same between the training images' features and the held-out images': what real
        /// data scores against the held-out part at these sizes (the distance's finite-sample
        /// bias included). Samples as good as the data score near it.
        public var frechetFloor: Double
        /// The samples and the training images that entered (the first ones), and the held-out images.
        public var pointCount: (samples: Int, training: Int, heldOut: Int)
        /// The feature count (the classifier's width).
        public var featureCount: Int
        /// The classifier's accuracy on the held-out images.
        public var classifierHeldOutAccuracy: Double
        /// Its training steps.
        public var classifierSteps: Int

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.frechetDistance == rhs.frechetDistance && lhs.frechetFloor == rhs.frechetFloor
                && lhs.pointCount == rhs.pointCount && lhs.featureCount == rhs.featureCount
                && lhs.classifierHeldOutAccuracy == rhs.classifierHeldOutAccuracy
                && lhs.classifierSteps == rhs.classifierSteps
        }
    }
}

/// The Fréchet distance of generated images (`EvaluationReport.ImageMetrics`): an
/// `ImageClassifier` is trained on the training part (labels taken from the source even when
/// the recipe trains without them), and the samples, the training images and the held-out
/// images are compared in its feature space. The samples are cut to the training part's count
/// so that the distance and its floor have the same sizes on each side.
enum ImageEvaluation {
    /// The metrics, or `nil` when the data are not labelled images with a held-out part.
    static func metrics(
        samples: Tensor, specification: DataSpecification, data: TrainingData, steps: Int, seed: UInt64
    ) throws(DataError) -> EvaluationReport.ImageMetrics? {
        guard data.training.image != nil, data.heldOut != nil else { return nil }
        var labelled = data
        if data.training.labels == nil {
            guard specification.source.providesLabels else { return nil }
            var withLabels = specification
            withLabels.settings.labelled = true
            labelled = try TrainingData.prepare(withLabels)
        }
        guard let heldOut = labelled.heldOut, labelled.training.classCount >= 2 else { return nil }
        let training = dataSpace(labelled.training, labelled.standardization)
        let reference = dataSpace(heldOut, labelled.standardization)
        var settings = ImageClassifier.Settings()
        settings.steps = steps
        settings.seed = seed
        let classifier = ImageClassifier(training: training, settings: settings)
        let used = Swift.min(samples.shape[0], training.count)
        let sampleFeatures = classifier.features(samples.gathering(rows: Array(0..<used)))
        let trainingFeatures = classifier.features(training.samples)
        let heldOutFeatures = classifier.features(reference.samples)
        return EvaluationReport.ImageMetrics(
            frechetDistance: SampleQuality.frechetDistance(sampleFeatures, heldOutFeatures),
            frechetFloor: SampleQuality.frechetDistance(trainingFeatures, heldOutFeatures),
            pointCount: (used, training.count, reference.count), featureCount: settings.width,
            classifierHeldOutAccuracy: classifier.accuracy(on: reference), classifierSteps: steps)
    }

    /// `part` with its samples de-standardised, as `scorekit sample` writes samples.
    private static func dataSpace(_ part: DataSet, _ standardization: Standardization?) -> DataSet {
        guard let standardization else { return part }
        return DataSet(
            samples: standardization.invert(part.samples), labels: part.labels, classCount: part.classCount,
            image: part.image)
    }
}
