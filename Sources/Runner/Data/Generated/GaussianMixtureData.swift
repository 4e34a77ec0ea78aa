public import ScoreKitCore
public import ScoreKitNetworks

/// Samples of an exact Gaussian mixture given in the recipe, labelled by component.
///
/// ```
/// p(x) = Σ_k w_k N(x; μ_k, Σ_k),   Σ_k = s_k²·I (standardDeviations), diag(v_k) (variances)
///                                  or a full matrix (covariances)
/// ```
/// ```yaml
/// data: { kind: gaussian-mixture, means: [[-2, 0], [2, 0]], standardDeviations: [0.5], weights: [1, 3] }
/// data: { kind: gaussian-mixture, means: [[-2, 0], [2, 0]], variances: [[0.5, 0.1], [0.1, 2]] }
/// data: { kind: gaussian-mixture, means: [[-2, 0], [2, 0]], weights: [1, 3],
///         covariances: [[[1, 0.8], [0.8, 1]], [[0.3, -0.2], [-0.2, 0.5]]] }
/// ```
/// The same `GaussianMixture` the samplers' tests use as an exact model, so a model trained on
/// these samples can be compared with the exact score. `weights` are normalised (empty: equal);
/// `standardDeviations` has one entry per component or one for all; `variances` (diagonal) and
/// `covariances` (full: symmetric positive semi-definite d × d matrices, as rows) have one entry
/// per component or one for all, and either replaces `standardDeviations`; at most one of the two
/// may be given.
public struct GaussianMixtureData: DataSource {
    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// N, the number of samples.
        public var count = 100_000
        /// w_k (normalised); empty means equal weights.
        public var weights: [Double] = []
        /// μ_k, one vector of d values per component.
        public var means: [[Double]] = [[0.0, 0.0]]
        /// s_k, one per component, or one for all.
        public var standardDeviations: [Double] = [1.0]
        /// diag(Σ_k), one vector of d variances per component or one for all; replaces
        /// `standardDeviations` when given.
        public var variances: [[Double]] = []
        /// Σ_k as rows, one d × d matrix per component or one for all; replaces
        /// `standardDeviations` when given.
        public var covariances: [[[Double]]] = []

        public init() {}

        public func validate() throws(ConfigurationError) {
            try SampleGenerator.validate(count: count)
            let k = means.count
            guard k >= 1 else { throw .outOfRange(key: "means", value: "[]", expected: "at least one mean") }
            guard weights.isEmpty || weights.count == k else {
                throw .outOfRange(
                    key: "weights", value: "\(weights.count) weights", expected: "one weight per mean (\(k)), or none")
            }
            guard covariances.isEmpty || variances.isEmpty else {
                throw .outOfRange(
                    key: "variances", value: "given with covariances",
                    expected: "either diagonal variances or full covariances, not both")
            }
            guard covariances.isEmpty || covariances.count == 1 || covariances.count == k else {
                throw .outOfRange(
                    key: "covariances", value: "\(covariances.count) matrices",
                    expected: "one matrix per mean (\(k)) or one for all, or none")
            }
            guard variances.isEmpty || variances.count == 1 || variances.count == k else {
                throw .outOfRange(
                    key: "variances", value: "\(variances.count) vectors",
                    expected: "one vector per mean (\(k)) or one for all, or none")
            }
            guard standardDeviations.count == 1 || standardDeviations.count == k else {
                throw .outOfRange(
                    key: "standardDeviations", value: "\(standardDeviations.count) values",
                    expected: "one per mean (\(k)) or one for all")
            }
        }

        /// The mixture these settings describe.
        func mixture() throws(ConfigurationError) -> GaussianMixture {
            let k = means.count
            let w = weights.isEmpty ? [Double](repeating: 1, count: k) : weights
            func each<T>(_ values: [T]) -> [T] { values.count == 1 ? [T](repeating: values[0], count: k) : values }
            if !covariances.isEmpty {
                do {
                    return try GaussianMixture(
                        weights: w, means: means, covariances: each(covariances).map { .full($0) })
                } catch .outOfRange(let key, let value, let expected) where covariances.count == 1 {
                    // One matrix for all: its errors are the recipe's covariances.0.
                    let one = key.hasPrefix("covariances.") ? "covariances.0" : key
                    throw .outOfRange(key: one, value: value, expected: expected)
                }
            }
            if !variances.isEmpty {
                do {
                    return try GaussianMixture(
                        weights: w, means: means, covariances: each(variances).map { .diagonal($0) })
                } catch .outOfRange(let key, let value, let expected) where key.hasPrefix("covariances.") {
                    // The mixture names a component's covariance; the recipe gave its variances.
                    let index = variances.count == 1 ? "0" : key.dropFirst("covariances.".count)
                    throw .outOfRange(key: "variances.\(index)", value: value, expected: expected)
                }
            }
            let s =
                standardDeviations.count == 1
                ? [Double](repeating: standardDeviations[0], count: k) : standardDeviations
            for (index, value) in s.enumerated() {
                try SampleGenerator.validateNonNegative(
                    value, key: "standardDeviations.\(standardDeviations.count == 1 ? 0 : index)")
            }
            return try GaussianMixture(weights: w, means: means, standardDeviations: s)
        }
    }

    /// The mixture sampled.
    public let mixture: GaussianMixture
    /// N.
    public let count: Int

    /// The data set these settings describe.
    public init(configuration: Configuration) throws(ConfigurationError) {
        mixture = try configuration.mixture()
        count = configuration.count
    }

    public var providesLabels: Bool { true }

    public func load(seed: UInt64) throws(DataError) -> DataSet {
        Self.sample(mixture, count: count, seed: seed)
    }

    /// `count` samples of `mixture`, each labelled with its component.
    ///
    /// `GaussianMixture.sample(count:noise:)` draws one uniform per sample to pick the
    /// component, then the normals; the label repeats that pick from the same uniforms (a copy
    /// of the noise source, so the samples are exactly the mixture's own).
    static func sample(_ mixture: GaussianMixture, count: Int, seed: UInt64) -> DataSet {
        var noise = PerSampleNoise(seed: seed)
        var labelNoise = noise
        let uniforms = labelNoise.uniform([count]).scalars
        let samples = mixture.sample(count: count, noise: &noise)
        var cumulative: [Double] = []
        var total = 0.0
        for w in mixture.weights {
            total += w
            cumulative.append(total)
        }
        let labels = uniforms.map { u in
            cumulative.firstIndex { $0 > Double(u) * total } ?? (mixture.componentCount - 1)
        }
        return DataSet(samples: samples, labels: labels, classCount: mixture.componentCount)
    }
}

extension GaussianMixtureData: RegisteredComponent {
    public static let id: ComponentID = "gaussian-mixture"
    public static let summary =
        "Samples of an exact Gaussian mixture (weights, means, standard deviations, variances or covariances)"
}

/// The seed's ring: K equal Gaussians on a circle, labelled by component.
///
/// ```
/// μ_k = r·(cos 2πk/K, sin 2πk/K),   Σ_k = s²·I
/// ```
/// Defaults as the seed: 8 components, radius 5, standard deviation 0.4 (`GaussianMixture.ring()`).
public struct RingData: DataSource {
    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// N, the number of samples.
        public var count = 100_000
        /// K, the number of components.
        public var componentCount = 8
        /// r, the circle's radius.
        public var radius = 5.0
        /// s, each component's standard deviation.
        public var standardDeviation = 0.4

        public init() {}

        public func validate() throws(ConfigurationError) {
            try SampleGenerator.validate(count: count)
            try requireCount(
                componentCount, key: "componentCount", atMost: SizeCeiling.components, of: "mixture components")
            try SampleGenerator.validateNonNegative(radius, key: "radius")
            try SampleGenerator.validateNonNegative(standardDeviation, key: "standardDeviation")
        }
    }

    /// The settings it was made from.
    public let configuration: Configuration

    /// The data set these settings describe.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var providesLabels: Bool { true }

    /// The exact mixture the samples come from.
    public var mixture: GaussianMixture {
        .ring(
            componentCount: configuration.componentCount, radius: configuration.radius,
            standardDeviation: configuration.standardDeviation)
    }

    public func load(seed: UInt64) throws(DataError) -> DataSet {
        GaussianMixtureData.sample(mixture, count: configuration.count, seed: seed)
    }
}

extension RingData: RegisteredComponent {
    public static let id: ComponentID = "ring"
    public static let summary = "The seed's ring of Gaussians: K components at radius r, std s (8, 5, 0.4)"
}

/// A square grid of equal Gaussians, labelled by component; the defaults are the 25-Gaussian
/// benchmark (`GaussianMixture.grid25`: means {−4, −2, 0, 2, 4}², standard deviation 0.05).
public struct GridData: DataSource {
    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// N, the number of samples.
        public var count = 100_000
        /// Components per side (side² in all).
        public var side = 5
        /// The distance between neighbouring means.
        public var spacing = 2.0
        /// Each component's standard deviation.
        public var standardDeviation = 0.05

        public init() {}

        public func validate() throws(ConfigurationError) {
            try SampleGenerator.validate(count: count)
            guard side >= 1, side <= 316 else {
                throw .outOfRange(
                    key: "side", value: "\(side)",
                    expected: "an integer from 1 to 316 (side² components; the ceiling for components is 100,000)")
            }
            try SampleGenerator.validateNonNegative(spacing, key: "spacing")
            try SampleGenerator.validateNonNegative(standardDeviation, key: "standardDeviation")
        }
    }

    /// The settings it was made from.
    public let configuration: Configuration

    /// The data set these settings describe.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var providesLabels: Bool { true }

    /// The exact mixture the samples come from.
    public var mixture: GaussianMixture {
        .grid(
            side: configuration.side, spacing: configuration.spacing, standardDeviation: configuration.standardDeviation
        )
    }

    public func load(seed: UInt64) throws(DataError) -> DataSet {
        GaussianMixtureData.sample(mixture, count: configuration.count, seed: seed)
    }
}

extension GridData: RegisteredComponent {
    public static let id: ComponentID = "grid"
    public static let summary = "A side × side grid of Gaussians; the defaults are the 25-Gaussian benchmark"
}
