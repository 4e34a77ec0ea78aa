import ScoreKitCore

extension RecipeCompatibility.Rule {
    /// A network that only takes images (`ImageNetworkArchitecture`, such as `unet`) needs a data
    /// set of images (`SampleLayout.images`) of a shape it can take: vector data (the 2-D sets,
    /// `.npy` and `.csv` rows) would reach it as rows it cannot read as [C, H, W].
    ///
    /// Data whose layout only its file tells (IDX) passes here and is checked when it is loaded
    /// (`TrainingData.check(_:)`).
    public static var imageNetworkHasImageData: Self {
        Self(name: "image-network-has-image-data") { recipe, registry in
            guard let network = recipe.network as? any ImageNetworkArchitecture,
                let data = recipe.dataSpecification
            else { return nil }
            let name = recipe.componentIDs[.network].map { " '\($0)'" } ?? ""
            let location = recipe.written["network"]?["kind"]?.location ?? recipe.written["network"]?.location
            switch data.source.sampleLayout {
            case .vectors:
                let vectorNetworks = registry.ids(of: .network).filter { id in
                    guard let made = try? registry.make(.network, from: ["kind": .string(id.rawValue)]) else {
                        return false
                    }
                    // Of the same kind as the recipe's network: score networks, or classifiers.
                    return !(made is any ImageNetworkArchitecture) && !(made is any ExactModelArchitecture)
                        && (made is any ClassifierArchitecture) == (recipe.network is any ClassifierArchitecture)
                }
                return .incompatible(
                    headline: "network\(name) takes images [C, H, W]; data set '\(data.id)' gives vectors",
                    notes: [
                        "give it images (data kind digits, or idx with a file of bytes [N, H, W]), or use a network "
                            + "for vectors: " + vectorNetworks.map(\.rawValue).joined(separator: ", ")
                    ],
                    location: location)
            case .images(let shape):
                guard let problem = network.problem(withImageShape: shape) else { return nil }
                return .incompatible(
                    headline: "network\(name) cannot take the \(shape.map(String.init).joined(separator: " × ")) "
                        + "images of data set '\(data.id)': \(problem)",
                    notes: ["change the network's levels (channelMultipliers) or use other images"],
                    location: location)
            case .determinedByFile:
                return nil
            }
        }
    }
}
