import ScoreKitCore
import ScoreKitNetworks
import Testing

/// The memory estimate's parameter counts, against the networks the architectures build.
@Suite("Network footprints")
struct NetworkFootprintTests {
    /// The footprint's parameter count over the built model's.
    static func ratio(_ architecture: any NetworkArchitecture, shape: [Int], classCount: Int = 0) throws -> Double {
        let footprint = try #require(architecture.footprint(sampleShape: shape, classCount: classCount))
        let model = architecture.makeModel(sampleShape: shape, classCount: classCount, seed: 0)
        #expect(footprint.activationsPerRow > 0)
        return footprint.parameterCount / Double(model.parameters.scalarCount)
    }

    @Test("the MLP's count is exact, with and without classes")
    func mlp() throws {
        var c = NoiseConditionalMLPArchitecture.Configuration()
        c.hiddenWidths = [64, 32]
        c.embeddingWidth = 16
        let architecture = NoiseConditionalMLPArchitecture(configuration: c)
        #expect(try Self.ratio(architecture, shape: [3]) == 1)
        #expect(try Self.ratio(architecture, shape: [5], classCount: 4) == 1)
    }

    @Test("the residual MLP's and the U-Net's counts are within 10 % of the built networks'")
    func residualAndUNet() throws {
        var residual = ResidualMLPArchitecture.Configuration()
        residual.width = 64
        residual.blockCount = 3
        let r = try Self.ratio(ResidualMLPArchitecture(configuration: residual), shape: [2])
        #expect(abs(r - 1) < 0.1, "residual MLP: \(r)")
        var unet = UNetArchitecture.Configuration()
        unet.baseChannels = 16
        unet.channelMultipliers = [1, 2]
        unet.blocksPerLevel = 1
        unet.groupCount = 8
        unet.attentionResolutions = [4]
        let u = try Self.ratio(UNetArchitecture(configuration: unet), shape: [1, 8, 8], classCount: 10)
        #expect(abs(u - 1) < 0.1, "U-Net: \(u)")
        let defaults = try Self.ratio(UNetArchitecture(configuration: .init()), shape: [3, 32, 32])
        #expect(abs(defaults - 1) < 0.1, "U-Net with the defaults: \(defaults)")
    }
}
