import ScoreKitCore
import Testing

@Suite("ConfigurationEncoder")
struct ConfigurationEncoderTests {
    @Test func defaultsListEveryKeyInDeclarationOrder() {
        let schema = FixtureConfiguration.schema
        #expect(schema.keys == ["churn", "steps", "name", "enabled", "weighting", "hiddenWidths", "optimizer"])
        #expect(schema["optimizer"]?.keys == ["learningRate", "betas"])
    }

    @Test func scalarsKeepTheirTypes() throws {
        let tree = try ConfigurationEncoder().encode(FixtureConfiguration())
        #expect(tree["churn"]?.content == .number(0))
        #expect(tree["steps"]?.content == .integer(18))
        #expect(tree["name"]?.content == .string("default"))
        #expect(tree["enabled"]?.content == .bool(true))
        #expect(tree["weighting"]?.content == .string("likelihood"))
        #expect(tree["hiddenWidths"] == [64, 64])
        #expect(tree["optimizer"] == ["learningRate": 0.001, "betas": [0.9, 0.999]])
        #expect(tree.location == nil)
    }

    @Test func renderedDefaultsReadLikeAFlowMapping() {
        #expect(
            FixtureConfiguration.schema.description
                == "{churn: 0.0, steps: 18, name: default, enabled: true, weighting: likelihood, "
                + "hiddenWidths: [64, 64], optimizer: {learningRate: 0.001, betas: [0.9, 0.999]}}")
    }

    @Test func floatsKeepTheirShortestDecimalForm() throws {
        struct Precision: Codable { var scale: Float = 0.1 }
        #expect(try ConfigurationEncoder().encode(Precision())["scale"]?.content == .number(0.1))
    }

    @Test func dictionariesAreWrittenWithSortedKeys() throws {
        let tree = try ConfigurationEncoder().encode(["zeta": 1, "alpha": 2, "mu": 3])
        #expect(tree.keys == ["alpha", "mu", "zeta"])
    }

    @Test func optionalsAndEmptyConfigurations() throws {
        struct Sparse: Codable {
            var present: Int? = 1
            var absent: Int? = nil
        }
        #expect(try ConfigurationEncoder().encode(Sparse()) == ["present": 1])
        #expect(EulerFixture.Configuration.schema == [:])
    }

    @Test func integersBeyondIntAreAnError() {
        struct Huge: Codable { var count = UInt64.max }
        #expect(
            throws: ConfigurationError.encodingFailed(
                path: "data.count", reason: "18446744073709551615 is larger than the largest integer, \(Int.max)")
        ) {
            try ConfigurationEncoder().encode(Huge(), path: "data")
        }
    }

    @Test func encodedTreeDecodesBackToTheSameValue() throws {
        var value = FixtureConfiguration()
        value.hiddenWidths = []
        value.optimizer.learningRate = 2.5e-4
        let tree = try ConfigurationEncoder().encode(value)
        #expect(try ConfigurationDecoder().decode(FixtureConfiguration.self, from: tree) == value)
        #expect(try ConfigurationValue(parsing: tree.description) == tree)
    }
}
