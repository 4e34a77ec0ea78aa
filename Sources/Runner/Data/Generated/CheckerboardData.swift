public import ScoreKitCore

/// Uniform samples on the dark squares of a checkerboard, labelled by square (FFJORD's
/// "checkerboard").
///
/// The board has side × side squares of size `squareSize`, centred at 0; square (i, j),
/// counted from the lower left, is dark when i + j is even. Each sample picks a dark square
/// uniformly, then a uniform point in it. The defaults (4 × 4 squares of size 2 on [−4, 4]²)
/// are FFJORD's board.
public struct CheckerboardData: DataSource {
    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// N, the number of samples.
        public var count = 100_000
        /// Squares per side.
        public var side = 4
        /// The side length of one square.
        public var squareSize = 2.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            try SampleGenerator.validate(count: count)
            guard side >= 1, side <= 316 else {
                throw .outOfRange(
                    key: "side", value: "\(side)",
                    expected: "an integer from 1 to 316 (side² squares; the ceiling for components is 100,000)")
            }
            try SampleGenerator.validatePositive(squareSize, key: "squareSize")
        }
    }

    /// The settings it was made from.
    public let configuration: Configuration

    /// The data set these settings describe.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var providesLabels: Bool { true }

    /// The dark squares (column i, row j), in label order.
    public var darkSquares: [(column: Int, row: Int)] {
        let n = configuration.side
        return (0..<(n * n)).map { ($0 % n, $0 / n) }.filter { ($0.0 + $0.1) % 2 == 0 }
    }

    public func load(seed: UInt64) throws(DataError) -> DataSet {
        let squares = darkSquares
        let size = configuration.squareSize
        let origin = -0.5 * Double(configuration.side) * size
        return SampleGenerator.generate(
            count: configuration.count, dimension: 2, classCount: squares.count, seed: seed, uniformCount: 3,
            normalCount: 0
        ) { draw, out in
            let k = SampleGenerator.category(draw.u(0), of: squares.count)
            out[0] = Float(origin + (Double(squares[k].column) + draw.u(1)) * size)
            out[1] = Float(origin + (Double(squares[k].row) + draw.u(2)) * size)
            return k
        }
    }
}

extension CheckerboardData: RegisteredComponent {
    public static let id: ComponentID = "checkerboard"
    public static let summary = "Uniform on the dark squares of a checkerboard (FFJORD's 4 × 4 board on [−4, 4]²)"
}
