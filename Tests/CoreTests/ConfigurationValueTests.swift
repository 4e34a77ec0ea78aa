import ScoreKitCore
import Testing

/// One `--set` argument and what it should parse to.
struct OverrideExample: Sendable, CustomTestStringConvertible {
    let argument: String
    let path: String
    let value: ConfigurationValue

    init(_ argument: String, _ path: String, _ value: ConfigurationValue) {
        self.argument = argument
        self.path = path
        self.value = value
    }

    var testDescription: String { argument }
}

@Suite("ConfigurationValue")
struct ConfigurationValueTests {
    let recipe: ConfigurationValue = [
        "sampler": ["kind": "heun", "churn": 0],
        "network": ["kind": "mlp", "hiddenWidths": [128, 128]],
        "seed": 7,
    ]

    @Test(arguments: [
        OverrideExample("sampler.churn=0.2", "sampler.churn", 0.2),
        OverrideExample("timeGrid.steps=40", "timeGrid.steps", .integer(40)),
        OverrideExample("network.hiddenWidths=[128,128]", "network.hiddenWidths", [128, 128]),
        OverrideExample("network.hiddenWidths=[ 64 , 32, ]", "network.hiddenWidths", [64, 32]),
        OverrideExample("sampler.kind=euler-maruyama", "sampler.kind", "euler-maruyama"),
        OverrideExample("ema.enabled=true", "ema.enabled", true),
        OverrideExample("sampler.churn=1e-3", "sampler.churn", 0.001),
        OverrideExample("sde.sigmaMax=.inf", "sde.sigmaMax", .number(.infinity)),
        OverrideExample("data.name=null", "data.name", nil),
        OverrideExample("data.name=", "data.name", nil),
        OverrideExample("data.name='a,b: c'", "data.name", "a,b: c"),
        OverrideExample("data.name=\"say \\\"hi\\\"\"", "data.name", "say \"hi\""),
        OverrideExample("data.url=http://x.org/a=b", "data.url", "http://x.org/a=b"),
        OverrideExample("sampler={kind: heun, churn: 0.2}", "sampler", ["kind": "heun", "churn": 0.2]),
        OverrideExample("data.means=[[0, 1], [-1.5, 2]]", "data.means", [[0, 1], [-1.5, 2]]),
    ])
    func parsesOverrides(_ example: OverrideExample) throws {
        let override = try ConfigurationOverride(parsing: example.argument)
        #expect(override.path == example.path)
        #expect(override.value == example.value)
        #expect(try ConfigurationOverride(parsing: override.description) == override)
    }

    @Test(arguments: [
        ("sampler.churn", "expected path=value"),
        ("=3", "'' is not a dotted path of keys"),
        ("sampler..churn=3", "'sampler..churn' is not a dotted path of keys"),
        ("network.hiddenWidths=[1,2", "missing ']'"),
        ("network.hiddenWidths=[1,,2]", "empty element in a sequence"),
        ("sampler={kind heun}", "expected 'key: value' in a mapping"),
        ("data.name='open", "unterminated ' quoted string"),
        ("network.hiddenWidths=[1] 2", "unexpected '2' after the value"),
    ])
    func rejectsMalformedOverrides(argument: String, reason: String) {
        #expect(throws: ConfigurationError.invalidOverride(text: argument, reason: reason)) {
            try ConfigurationOverride(parsing: argument)
        }
    }

    @Test func appliesOverridesInOrder() throws {
        let overrides = try [
            "sampler.churn=0.2", "timeGrid.steps=40", "network.hiddenWidths.1=256", "seed=9", "seed=11",
        ]
        .map { (argument: String) throws(ConfigurationError) in try ConfigurationOverride(parsing: argument) }
        let result = try recipe.applying(overrides)
        #expect(result.value(atPath: "sampler.churn") == 0.2)
        #expect(result.value(atPath: "sampler.kind") == "heun")
        #expect(result.value(atPath: "timeGrid") == ["steps": 40])
        #expect(result.value(atPath: "network.hiddenWidths") == [128, 256])
        #expect(result["seed"] == 11)
        #expect(result.keys == ["sampler", "network", "seed", "timeGrid"])
    }

    /// Another `kind` replaces its section (the old component's keys go); the same kind keeps them.
    @Test func anotherKindReplacesItsSection() throws {
        func applying(_ arguments: String...) throws -> ConfigurationValue {
            try recipe.applying(
                arguments.map { (argument: String) throws(ConfigurationError) in
                    try ConfigurationOverride(parsing: argument)
                })
        }
        let withChurn = try applying("sampler.churn=0.2")
        #expect(try applying("sampler.churn=0.2", "sampler.kind=ddim")["sampler"] == ["kind": "ddim"])
        #expect(
            try applying("sampler.churn=0.2", "sampler.kind=ddim", "sampler.eta=0.5")["sampler"]
                == ["kind": "ddim", "eta": 0.5])
        #expect(try applying("sampler.churn=0.2", "sampler.kind=heun") == withChurn)
        #expect(try applying("network.kind=mlp") == recipe)
    }

    @Test func overridesCannotPassThroughScalarsOrMissingElements() throws {
        let throughScalar = try ConfigurationOverride(parsing: "seed.value=1")
        #expect(
            throws: ConfigurationError.invalidOverride(
                text: "seed.value=1", reason: "'seed' is an integer, not a mapping")
        ) {
            try recipe.applying([throughScalar])
        }
        let pastEnd = try ConfigurationOverride(parsing: "network.hiddenWidths.2=1")
        #expect(
            throws: ConfigurationError.invalidOverride(
                text: "network.hiddenWidths.2=1",
                reason: "'network.hiddenWidths' is a sequence of 2 elements; '2' is not an index from 0 to 1")
        ) {
            try recipe.applying([pastEnd])
        }
    }

    @Test func setsValuesAtPaths() throws {
        var value: ConfigurationValue = nil
        try value.set(0.5, atPath: "sampler.churn")
        #expect(value == ["sampler": ["churn": 0.5]])
        #expect(try value.setting("heun", atPath: "sampler.kind") == ["sampler": ["churn": 0.5, "kind": "heun"]])
    }

    @Test func looksUpDottedPaths() {
        #expect(recipe.value(atPath: "network.hiddenWidths.0") == 128)
        #expect(recipe.value(atPath: "") == recipe)
        #expect(recipe.value(atPath: "network.depth") == nil)
        #expect(recipe.value(atPath: "network.hiddenWidths.5") == nil)
        #expect(recipe.value(atPath: "sampler..kind") == nil)
        #expect(recipe["missing"] == nil)
    }

    @Test func mergesUserValuesOverDefaultsRecursively() {
        let defaults: ConfigurationValue = [
            "churn": 0.0, "steps": 18, "optimizer": ["learningRate": 0.001, "betas": [0.9]],
        ]
        let user = ConfigurationValue.mapping(
            [.init(key: "optimizer", value: ["betas": [0.5, 0.6]]), .init(key: "extra", value: true)], at: at(1, 1))
        let merged = defaults.merging(overrides: user)
        #expect(
            merged == [
                "churn": 0.0, "steps": 18, "optimizer": ["learningRate": 0.001, "betas": [0.5, 0.6]], "extra": true,
            ])
        #expect(merged.location == at(1, 1))
        #expect(defaults.merging(overrides: 3) == 3)
    }

    @Test func equalityIgnoresLocations() {
        #expect(ConfigurationValue.integer(3, at: at(1, 2)) == .integer(3))
        #expect(ConfigurationValue.integer(3) != .number(3))
        let located = ConfigurationValue.mapping([.init(key: "a", value: 1, keyLocation: at(1, 1))], at: at(1, 1))
        #expect(located == ["a": 1])
        #expect(Set([located, ["a": 1]]).count == 1)
    }

    @Test func readsPayloads() {
        #expect(ConfigurationValue.integer(3).numberValue == 3)
        #expect(ConfigurationValue.number(3).integerValue == nil)
        #expect(ConfigurationValue("x").stringValue == "x")
        #expect(ConfigurationValue(true).boolValue == true)
        #expect(recipe["network"]?["hiddenWidths"]?.elements == [128, 128])
        #expect(SourceLocation(file: "r.yaml", line: 3, column: 14).description == "r.yaml:3:14")
    }

    @Test func stringsAreQuotedOnlyWhenNeeded() {
        let value: ConfigurationValue = [
            "kind": "euler-maruyama", "a": "true", "b": "40", "c": "", "d": "x, y", "e": "-x",
        ]
        #expect(value.description == #"{kind: euler-maruyama, a: "true", b: "40", c: "", d: "x, y", e: "-x"}"#)
        #expect(ConfigurationValue.number(-.infinity).description == "-.inf")
    }
}
