import ScoreKitCore
import Testing

@Suite("ComponentRegistry")
struct ComponentRegistryTests {
    let registry = fixtureRegistry()

    @Test func makesTheComponentTheKindNames() throws {
        let sampler = try registry.make(.fixtureSampler, from: ["kind": "heun", "churn": 0.2])
        #expect(sampler.label == "heun churn=0.2")
        #expect(try registry.make(.fixtureSampler, from: ["kind": "euler"]).label == "euler")
    }

    @Test func resolvedConfigurationListsKindThenEveryKey() throws {
        let resolved = try registry.resolve(.fixtureSampler, from: ["kind": "ddim", "steps": 20])
        #expect(resolved.id == "ddim")
        #expect(resolved.configuration == ["kind": "ddim", "eta": 0.0, "steps": 20])
        #expect(resolved.configuration.keys == ["kind", "eta", "steps"])
        let loss = try registry.resolve(.fixtureLoss, from: ["kind": "denoising-score-matching"])
        #expect(
            loss.configuration == [
                "kind": "denoising-score-matching", "timeDistribution": "uniform", "weighting": "likelihood",
            ])
    }

    @Test func resolvedConfigurationMakesTheSameComponentAgain() throws {
        let first = try registry.resolve(.fixtureSampler, from: ["kind": "heun", "churn": 1])
        let second = try registry.resolve(.fixtureSampler, from: first.configuration)
        #expect(second.configuration == first.configuration)
        #expect(second.product.label == first.product.label)
    }

    @Test func unknownIdListsKnownIdsAndSuggests() {
        let value = ConfigurationValue.mapping(
            [.init(key: "kind", value: .string("heun2", at: at(7, 25)), keyLocation: at(7, 19))], at: at(7, 18))
        #expect(
            throws: ConfigurationError.unknownComponent(
                kind: "sampler", id: "heun2", known: ["ddim", "euler", "heun"], suggestion: "heun", location: at(7, 25))
        ) {
            try registry.make(.fixtureSampler, from: value)
        }
        #expect(
            throws: ConfigurationError.unknownComponent(
                kind: "sampler", id: "Heun", known: ["ddim", "euler", "heun"], suggestion: "heun", location: nil)
        ) {
            try registry.make(.fixtureSampler, from: ["kind": "Heun"])
        }
        #expect(
            throws: ConfigurationError.unknownComponent(
                kind: "sampler", id: "ancestral", known: ["ddim", "euler", "heun"], suggestion: nil, location: nil)
        ) {
            try registry.make(.fixtureSampler, from: ["kind": "ancestral"])
        }
    }

    @Test func missingKindIsAnError() {
        #expect(
            throws: ConfigurationError.missingKind(
                kind: "sampler", path: "sampler", known: ["ddim", "euler", "heun"], location: at(7, 18))
        ) {
            try registry.make(.fixtureSampler, from: .mapping([.init(key: "churn", value: 0)], at: at(7, 18)))
        }
        #expect(
            throws: ConfigurationError.missingKind(
                kind: "sampler", path: "sampler", known: ["ddim", "euler", "heun"], location: nil)
        ) {
            try registry.make(.fixtureSampler, from: nil)
        }
    }

    @Test func kindMustBeAString() {
        #expect(
            throws: ConfigurationError.typeMismatch(
                path: "sampler.kind", expected: "a string", found: "the integer 3", location: nil)
        ) {
            try registry.make(.fixtureSampler, from: ["kind": 3])
        }
        #expect(
            throws: ConfigurationError.typeMismatch(
                path: "sampler", expected: "a mapping with a 'kind' key", found: "the string 'heun'", location: nil)
        ) {
            try registry.make(.fixtureSampler, from: "heun")
        }
    }

    @Test func unknownKeyNamesTheComponent() {
        let value = ConfigurationValue.mapping([
            .init(key: "kind", value: "denoising-score-matching"),
            .init(key: "weigting", value: "likelihood", keyLocation: at(4, 48)),
        ])
        #expect(
            throws: ConfigurationError.unknownKey(
                path: "loss", key: "weigting", component: "loss 'denoising-score-matching'",
                validKeys: ["timeDistribution", "weighting"], suggestion: "weighting", location: at(4, 48))
        ) {
            try registry.make(.fixtureLoss, from: value)
        }
    }

    @Test func validationAndInitializerErrorsAreLocated() {
        let eta = ConfigurationValue.mapping([
            .init(key: "kind", value: "ddim"), .init(key: "eta", value: .number(2, at: at(9, 30))),
        ])
        #expect(
            throws: ConfigurationError.located(
                .outOfRange(key: "eta", value: "2.0", expected: "a number ≤ 1"), path: "sampler.eta",
                location: at(9, 30))
        ) {
            try registry.make(.fixtureSampler, from: eta)
        }
        #expect(
            throws: ConfigurationError.located(
                .outOfRange(key: "churn", value: "-1.0", expected: "a number ≥ 0"), path: "stages.0.churn",
                location: nil)
        ) {
            try registry.make(.fixtureSampler, from: ["kind": "heun", "churn": -1], path: "stages.0")
        }
    }

    @Test func listsIdsAndEntries() {
        #expect(registry.ids(of: .fixtureSampler) == ["ddim", "euler", "heun"])
        #expect(registry.ids(of: .fixtureLoss) == ["denoising-score-matching"])
        let heun = registry.entries(of: .fixtureSampler).last
        #expect(heun?.kind == "sampler")
        #expect(heun?.summary == "Heun's 2nd-order probability-flow sampler")
        #expect(heun?.defaults == ["churn": 0.0])
        #expect(registry.allEntries.map(\.id) == ["ddim", "euler", "heun", "denoising-score-matching"])
        #expect(ComponentRegistry().ids(of: .fixtureSampler).isEmpty)
    }

    @Test("keeping(familiesNamed:) drops the other families; adding(_:) registers on a copy")
    func keepingAndAdding() throws {
        let losses = registry.keeping(familiesNamed: ["loss"])
        #expect(losses.ids(of: .fixtureSampler).isEmpty)
        #expect(losses.ids(of: .fixtureLoss) == ["denoising-score-matching"])
        #expect(losses.allEntries.map(\.id) == ["denoising-score-matching"])
        #expect(registry.ids(of: .fixtureSampler) == ["ddim", "euler", "heun"])
        let empty = ComponentRegistry()
        let added = empty.adding { $0.register(HeunFixture.self, as: .fixtureSampler) { $0 } }
        #expect(added.ids(of: .fixtureSampler) == ["heun"])
        #expect(empty.ids(of: .fixtureSampler).isEmpty)
    }

    @Test func emptyFamilySaysSo() {
        #expect(
            throws: ConfigurationError.unknownComponent(
                kind: "sampler", id: "heun", known: [], suggestion: nil, location: nil)
        ) {
            try ComponentRegistry().make(.fixtureSampler, from: ["kind": "heun"])
        }
    }

    @Test func componentIDsAreKebabCase() {
        #expect(ComponentID(rawValue: "euler-maruyama")?.rawValue == "euler-maruyama")
        #expect(ComponentID(rawValue: "vp2") != nil)
        for invalid in ["", "Heun", "euler_maruyama", "-heun", "heun-", "euler--maruyama", "2nd", "heun sde"] {
            #expect(ComponentID(rawValue: invalid) == nil, "\(invalid)")
        }
    }

    @Test func registeringAnIdTwiceIsAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) {
            var registry = ComponentRegistry()
            registry.register(HeunFixture.self, as: .fixtureSampler) { $0 }
            registry.register(HeunFixture.self, as: .fixtureSampler) { $0 }
        }
    }

    @Test func invalidIdLiteralIsAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) {
            let id: ComponentID = "Not Kebab"
            _ = id
        }
    }

    @Test func sameIdInAnotherFamilyIsFine() throws {
        struct HeunLoss: FixtureLoss, RegisteredComponent {
            struct Configuration: ComponentConfiguration {}
            static let id: ComponentID = "heun"
            static let summary = "A loss that shares an id with a sampler"
            init(configuration: Configuration) {}
        }
        var registry = fixtureRegistry()
        registry.register(HeunLoss.self, as: .fixtureLoss) { $0 }
        #expect(registry.ids(of: .fixtureLoss) == ["denoising-score-matching", "heun"])
        _ = try registry.make(.fixtureLoss, from: ["kind": "heun"])
    }
}
