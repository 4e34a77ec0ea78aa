import ScoreKitNetworks

/// The shapes generated data sets declare before drawing (`DataSource.declaredShape`).
extension TwoMoonsData {
    public var declaredShape: [Int]? { [configuration.count, 2] }
}

extension SpiralsData {
    public var declaredShape: [Int]? { [configuration.count, 2] }
}

extension SwissRollData {
    public var declaredShape: [Int]? { [configuration.count, 2] }
}

extension PinwheelData {
    public var declaredShape: [Int]? { [configuration.count, 2] }
}

extension ConcentricRingsData {
    public var declaredShape: [Int]? { [configuration.count, 2] }
}

extension CheckerboardData {
    public var declaredShape: [Int]? { [configuration.count, 2] }
}

extension GaussianMixtureData {
    public var declaredShape: [Int]? { [count, mixture.dimension] }
}

extension RingData {
    public var declaredShape: [Int]? { [configuration.count, 2] }
}

extension GridData {
    public var declaredShape: [Int]? { [configuration.count, 2] }
}
