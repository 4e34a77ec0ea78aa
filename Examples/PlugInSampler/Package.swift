// swift-tools-version: 6.1
import PackageDescription

// A plug-in package: a module of samplers that depends on ScoreKitCore alone, an executable
// that is `scorekit` with them added, and their tests. docs/PLUGINS.md walks through it.
//
// ScoreKit is a path dependency here (the checkout two folders up). SwiftPM names a path
// dependency after its folder, so `.product(…, package:)` must name that folder; `name:` pins
// it to "ScoreKit" whatever the checkout's folder is called. From a repository, write
// `.package(url: "<ScoreKit's repository>", branch: "main")` and `package: "ScoreKit"` (or the
// repository's last path component).
let package = Package(
    name: "PlugInSampler",
    products: [
        .library(name: "RalstonSamplers", targets: ["RalstonSamplers"]),
        .executable(name: "scorekit-ralston", targets: ["scorekit-ralston"]),
    ],
    dependencies: [
        .package(name: "ScoreKit", path: "../..")
    ],
    targets: [
        .target(
            name: "RalstonSamplers",
            dependencies: [.product(name: "ScoreKitCore", package: "ScoreKit")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "scorekit-ralston",
            dependencies: [
                "RalstonSamplers",
                .product(name: "ScoreKitCommandLine", package: "ScoreKit"),
                .product(name: "ScoreKitRunner", package: "ScoreKit"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "RalstonSamplersTests",
            dependencies: [
                "RalstonSamplers",
                .product(name: "ScoreKitCore", package: "ScoreKit"),
                .product(name: "ScoreKitRunner", package: "ScoreKit"),
                .product(name: "ScoreKitSamplers", package: "ScoreKit"),
                .product(name: "ScoreKitTesting", package: "ScoreKit"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
