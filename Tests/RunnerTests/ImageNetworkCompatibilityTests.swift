import ScoreKitCore
import ScoreKitNetworks
import ScoreKitRunner
import Testing

/// The `image-network-has-image-data` rule and the image shape reaching the network.
@Suite("Image networks and their data")
struct ImageNetworkCompatibilityTests {
    static let base = "sde: { kind: variance-preserving }\n"

    @Test("a U-Net on vector data is refused at the network's kind, naming the networks for vectors")
    func unetOnVectors() {
        let error = trainingResolutionError(Self.base + "network: { kind: unet }\ndata: { kind: ring }\n")
        #expect(error?.location?.line == 2 && error?.location?.column == 18)
        #expect(
            error?.description == """
                recipes/test.yaml:2:18: error: network 'unet' takes images [C, H, W]; data set 'ring' gives vectors
                  give it images (data kind digits, or idx with a file of bytes [N, H, W]), or use a network for vectors: energy, mlp, residual-mlp
                """)
    }

    @Test("a U-Net that halves the digits more often than 8 × 8 allows is refused")
    func unetTooDeep() {
        let error = trainingResolutionError(
            Self.base + "network: { kind: unet, channelMultipliers: [1, 1, 1, 1, 1] }\ndata: { kind: digits }\n")
        #expect(
            error?.description == """
                recipes/test.yaml:2:18: error: network 'unet' cannot take the 1 × 8 × 8 images of data set 'digits': \
                a U-Net of 5 levels halves the image 4 times, so H and W must be divisible by 16
                  change the network's levels (channelMultipliers) or use other images
                """)
    }

    @Test("a U-Net on the digits, an MLP on the digits and an MLP on vectors pass")
    func compatiblePairs() throws {
        _ = try resolveTraining(Self.base + "network: { kind: unet }\ndata: { kind: digits }\n")
        _ = try resolveTraining(Self.base + "network: { kind: mlp }\ndata: { kind: digits }\n")
        _ = try resolveTraining(Self.base + "network: { kind: residual-mlp }\ndata: { kind: ring }\n")
    }

    @Test("the digits reach networks as [1, 8, 8]; MLPs read them flat")
    func sampleShape() throws {
        let recipe = try resolveTraining(
            tinyRecipe(data: "{ kind: digits, labelled: true }", network: "hiddenWidths: [16], embeddingWidth: 4"))
        let plan = try TrainingPlan(recipe: recipe)
        #expect(plan.data.sampleShape == [1, 8, 8])
        let state = Trainer(plan: plan).initialState()
        #expect(state.model.parameters["l1.weight"]?.shape[1] == 64 + 4)
        let unet = UNetArchitecture(configuration: .init())
        #expect(unet.problem(withImageShape: [1, 8, 8]) == nil)
        #expect(unet.problem(withImageShape: [1, 6, 6]) != nil)
    }

    @Test("vector data that only loading reveals is refused by the training plan, not a crash")
    func checkedAfterLoading() throws {
        let data = TrainingData(training: DataSet(samples: Tensor.zeros([4, 64])), source: "data set 'npy'")
        let error = data.incompatibility(with: UNetArchitecture(configuration: .init()), networkID: "unet")
        #expect(
            error?.description == """
                error: network 'unet' takes images [C, H, W]; data set 'npy' gives vectors of 64 values
                  give it images (data kind digits, or idx with a file of bytes [N, H, W]), or an MLP network
                """)
        #expect(
            data.incompatibility(with: NoiseConditionalMLPArchitecture(configuration: .init()), networkID: nil) == nil)
    }
}
