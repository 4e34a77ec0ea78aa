import ScoreKitCore

/// Draws a generated data set sample by sample: sample i takes its uniforms and normals from
/// stream i of the seed (`PerSampleNoise`), so it does not depend on how many are drawn.
enum SampleGenerator {
    /// One sample's random inputs and where to write it.
    struct Draw {
        /// `uniformCount` uniforms in [0, 1).
        let uniforms: UnsafeBufferPointer<Float>
        /// `normalCount` standard normals.
        let normals: UnsafeBufferPointer<Float>

        /// Uniform number `k`, in Double.
        func u(_ k: Int) -> Double { Double(uniforms[k]) }
        /// Normal number `k`, in Double.
        func z(_ k: Int) -> Double { Double(normals[k]) }
    }

    /// `count` samples of `dimension` values; `body` writes one sample from its draws and
    /// returns its label in `0..<classCount`.
    static func generate(
        count: Int, dimension: Int, classCount: Int, seed: UInt64, uniformCount: Int, normalCount: Int,
        _ body: (Draw, UnsafeMutableBufferPointer<Float>) -> Int
    ) -> DataSet {
        var noise = PerSampleNoise(seed: seed)
        let uniforms = noise.uniform([count, Swift.max(uniformCount, 1)])
        let normals = noise.normal([count, Swift.max(normalCount, 1)])
        var labels = [Int](repeating: 0, count: count)
        let samples = uniforms.withUnsafeBufferPointer { u in
            normals.withUnsafeBufferPointer { z in
                Tensor(shape: [count, dimension]) { out in
                    let (uWidth, zWidth) = (Swift.max(uniformCount, 1), Swift.max(normalCount, 1))
                    for i in 0..<count {
                        let draw = Draw(
                            uniforms: UnsafeBufferPointer(rebasing: u[(i * uWidth)..<((i + 1) * uWidth)]),
                            normals: UnsafeBufferPointer(rebasing: z[(i * zWidth)..<((i + 1) * zWidth)]))
                        let row = UnsafeMutableBufferPointer(rebasing: out[(i * dimension)..<((i + 1) * dimension)])
                        labels[i] = body(draw, row)
                    }
                }
            }
        }
        return DataSet(samples: samples, labels: labels, classCount: classCount)
    }

    /// The class among `classCount` equally likely ones that uniform `u` falls in.
    static func category(_ u: Double, of classCount: Int) -> Int {
        Swift.min(Int(u * Double(classCount)), classCount - 1)
    }

    /// Checks a generated set's `count`.
    static func validate(count: Int) throws(ConfigurationError) {
        try requireCount(count, key: "count", atMost: SizeCeiling.samples, of: "sample counts")
    }

    /// Checks that `value` for `key` is a finite number ≥ 0 (a noise level, a standard deviation).
    static func validateNonNegative(_ value: Double, key: String) throws(ConfigurationError) {
        guard value >= 0, value.isFinite else {
            throw .outOfRange(key: key, value: "\(value)", expected: "a finite number ≥ 0")
        }
    }

    /// Checks that `value` for `key` is a finite number > 0.
    static func validatePositive(_ value: Double, key: String) throws(ConfigurationError) {
        guard value > 0, value.isFinite else {
            throw .outOfRange(key: key, value: "\(value)", expected: "a finite number > 0")
        }
    }
}
