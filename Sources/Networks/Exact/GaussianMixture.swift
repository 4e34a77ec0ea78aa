import Foundation
public import ScoreKitCore

/// A Gaussian mixture in any dimension, and the exact model of data drawn from it under every
/// affine forward process: its score, denoiser, density and probability flow are closed forms.
///
/// ```
/// p₀(x) = Σ_k w_k N(x; μ_k, Σ_k)
/// p_t(x) = Σ_k w_k N(x; α·μ_k, C_k),   C_k = α²·Σ_k + σ²·I          (x_t = α·x₀ + σ·ε)
/// ∇log p_t(x) = Σ_k r_k(x)·s_k(x),   s_k = −C_k⁻¹(x − α·μ_k),   r_k = p(k | x_t) = w_k N_k(x)/p_t(x)
/// E[x₀ | x_t] = Σ_k r_k·(μ_k + α·Σ_k C_k⁻¹(x − α·μ_k))              (= (x + σ²∇log p_t)/α, Tweedie)
/// ∇·∇log p_t = Σ_k r_k·(‖s_k‖² − tr C_k⁻¹) − ‖∇log p_t‖²
/// ```
/// Each Σ_k = U_k Λ_k U_kᵀ is diagonalised once (Jacobi, in Double), so C_k⁻¹ and log det C_k
/// cost O(d²) at any (α, σ), per sample; densities use log-sum-exp over components. This is
/// the stand-in model of DESIGN.md's "Checks that need no training": samplers, ODE solvers and
/// likelihoods are tested against it.
///
/// As a `ScoreModel` it outputs the exact value of `prediction` (default ε), from each
/// sample's α and σ in the `NoiseCondition`; `flowVelocity` also needs α' and σ', so it reads
/// them from `sde` at the condition's time. Use it with the parameterization of the
/// same prediction (c_in = 1), not with `edm`, whose c_in rescales the input.
/// - Precondition: α²λ + σ² > 0 for every eigenvalue λ: a degenerate component (λ = 0) has no
///   density at σ = 0.
public struct GaussianMixture: Sendable {
    /// The covariance of one component.
    public enum Covariance: Sendable, Equatable {
        /// s²·I, given the variance s².
        case isotropic(variance: Double)
        /// diag(v), given the variances.
        case diagonal([Double])
        /// A symmetric positive semi-definite d × d matrix, as rows.
        case full([[Double]])
    }

    /// w_k, normalised to sum to 1.
    public let weights: [Double]
    /// μ_k.
    public let means: [[Double]]
    /// Σ_k as given.
    public let covariances: [Covariance]
    /// d, the dimension of a sample.
    public let dimension: Int
    /// What the model outputs as a `ScoreModel`.
    public var prediction: Prediction = .epsilon
    /// The process whose α' and σ' the `ScoreModel` output uses (needed for `flowVelocity` only).
    public var sde: (any ForwardSDE)?

    /// The components diagonalised, Σ_k = U_k·diag(λ_k)·U_kᵀ, in flat buffers for the kernel.
    let storage: MixtureStorage

    /// A mixture of `weights.count` components.
    ///
    /// - Throws: `ConfigurationError.outOfRange` for negative or all-zero weights, means of
    ///   different lengths, covariances of the wrong size, or a covariance that is not
    ///   symmetric positive semi-definite.
    public init(weights: [Double], means: [[Double]], covariances: [Covariance]) throws(ConfigurationError) {
        guard !weights.isEmpty, weights.count == means.count, weights.count == covariances.count else {
            throw .outOfRange(
                key: "weights",
                value: "\(weights.count) weights, \(means.count) means, \(covariances.count) covariances",
                expected: "one weight, mean and covariance per component, at least one component")
        }
        let total = weights.reduce(0, +)
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }), total > 0, total.isFinite else {
            throw .outOfRange(key: "weights", value: "\(weights)", expected: "finite numbers ≥ 0 with a positive sum")
        }
        let d = means[0].count
        guard d > 0, means.allSatisfy({ $0.count == d && $0.allSatisfy(\.isFinite) }) else {
            throw .outOfRange(
                key: "means", value: "lengths \(means.map(\.count))", expected: "finite vectors of one length ≥ 1")
        }
        var variances: [[Double]] = []
        var rotations: [[Double]?] = []
        for (k, covariance) in covariances.enumerated() {
            let (values, rotation) = try Self.diagonalise(covariance, dimension: d, index: k)
            variances.append(values)
            rotations.append(rotation)
        }
        self.weights = weights.map { $0 / total }
        self.means = means
        self.covariances = covariances
        self.dimension = d
        self.storage = MixtureStorage(
            logWeights: self.weights.map { Foundation.log($0) }, means: means, variances: variances,
            rotations: rotations)
    }

    /// A mixture of isotropic components N(μ_k, s_k²·I).
    public init(weights: [Double], means: [[Double]], standardDeviations: [Double]) throws(ConfigurationError) {
        try self.init(
            weights: weights, means: means, covariances: standardDeviations.map { .isotropic(variance: $0 * $0) })
    }

    /// The number of components K.
    public var componentCount: Int { weights.count }

    /// Σ_k = U_k·diag(λ_k)·U_kᵀ: the eigenvalues λ_k (the variances along the principal axes)
    /// and U_k row-major with eigenvector j in column j, or nil where Σ_k is isotropic or
    /// diagonal (U_k = I, λ_k its diagonal).
    public func principalAxes(ofComponent k: Int) -> (variances: [Double], rotation: [Double]?) {
        precondition(k >= 0 && k < componentCount, "component \(k) of \(componentCount)")
        let d = dimension
        let variances = (0..<d).map { storage.variances[k * d + $0] }
        guard storage.isRotated[k] else { return (variances, nil) }
        return (variances, (0..<(d * d)).map { storage.rotations[k * d * d + $0] })
    }

    private static func diagonalise(
        _ covariance: Covariance, dimension d: Int, index k: Int
    )
        throws(ConfigurationError) -> ([Double], [Double]?)
    {
        let key = "covariances.\(k)"
        switch covariance {
        case .isotropic(let variance):
            guard variance >= 0, variance.isFinite else {
                throw .outOfRange(key: key, value: "\(variance)", expected: "a finite variance ≥ 0")
            }
            return ([Double](repeating: variance, count: d), nil)
        case .diagonal(let variances):
            guard variances.count == d, variances.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw .outOfRange(key: key, value: "\(variances)", expected: "\(d) finite variances ≥ 0")
            }
            return (variances, nil)
        case .full(let rows):
            guard rows.count == d, rows.allSatisfy({ $0.count == d && $0.allSatisfy(\.isFinite) }) else {
                throw .outOfRange(
                    key: key, value: "a \(rows.count)-row matrix", expected: "a finite \(d) × \(d) matrix")
            }
            let scale = rows.joined().map(Swift.abs).max() ?? 0
            for i in 0..<d {
                for j in 0..<i where Swift.abs(rows[i][j] - rows[j][i]) > 1e-9 * scale {
                    throw .outOfRange(
                        key: key, value: "entries [\(i)][\(j)] = \(rows[i][j]) and [\(j)][\(i)] = \(rows[j][i])",
                        expected: "a symmetric matrix")
                }
            }
            let symmetric = (0..<(d * d)).map { 0.5 * (rows[$0 / d][$0 % d] + rows[$0 % d][$0 / d]) }
            let (values, vectors) = symmetricEigendecomposition(symmetric, dimension: d)
            guard let smallest = values.min(), smallest >= -1e-12 * Swift.max(scale, 1e-300) else {
                throw .outOfRange(
                    key: key, value: "a matrix with eigenvalue \(values.min() ?? .nan)",
                    expected: "a positive semi-definite matrix")
            }
            return (values.map { Swift.max($0, 0) }, vectors)
        }
    }
}

extension GaussianMixture {
    /// `componentCount` equal-weight isotropic components on a circle, μ_k = radius·(cos 2πk/K, sin 2πk/K).
    ///
    /// The defaults are the seed's ring: 8 components, radius 5, standard deviation 0.4.
    public static func ring(componentCount: Int = 8, radius: Double = 5, standardDeviation: Double = 0.4) -> Self {
        precondition(componentCount >= 1 && radius.isFinite && standardDeviation >= 0, "invalid ring parameters")
        let means = (0..<componentCount).map { k -> [Double] in
            let angle = 2 * Double.pi * Double(k) / Double(componentCount)
            return [radius * Foundation.cos(angle), radius * Foundation.sin(angle)]
        }
        return Self(
            validatedWeights: [Double](repeating: 1, count: componentCount), means: means,
            standardDeviation: standardDeviation)
    }

    /// `side` × `side` equal-weight isotropic components on a square grid centred at 0 with the given spacing.
    public static func grid(side: Int, spacing: Double, standardDeviation: Double) -> Self {
        precondition(side >= 1 && spacing.isFinite && standardDeviation >= 0, "invalid grid parameters")
        let offset = 0.5 * Double(side - 1)
        let means = (0..<(side * side)).map {
            [spacing * (Double($0 / side) - offset), spacing * (Double($0 % side) - offset)]
        }
        return Self(
            validatedWeights: [Double](repeating: 1, count: side * side), means: means,
            standardDeviation: standardDeviation)
    }

    /// The 25-Gaussian benchmark: means {−4, −2, 0, 2, 4}², standard deviation 0.05, equal weights.
    public static var grid25: Self { grid(side: 5, spacing: 2, standardDeviation: 0.05) }

    private init(validatedWeights weights: [Double], means: [[Double]], standardDeviation: Double) {
        do {
            try self.init(weights: weights, means: means, standardDeviations: weights.map { _ in standardDeviation })
        } catch {
            preconditionFailure("built-in mixture rejected: \(error)")
        }
    }
}
