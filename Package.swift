// swift-tools-version: 6.1
import PackageDescription

/// Settings every ScoreKit target shares (STYLE.md §2).
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "ScoreKit",
    products: [
        .library(name: "ScoreKitCore", targets: ["ScoreKitCore"]),
        .library(name: "ScoreKitSDEs", targets: ["ScoreKitSDEs"]),
        .library(name: "ScoreKitSamplers", targets: ["ScoreKitSamplers"]),
        .library(name: "ScoreKitNetworks", targets: ["ScoreKitNetworks"]),
        .library(name: "ScoreKitLosses", targets: ["ScoreKitLosses"]),
        .library(name: "ScoreKitRunner", targets: ["ScoreKitRunner"]),
        .library(name: "ScoreKitCommandLine", targets: ["ScoreKitCommandLine"]),
        .library(name: "ScoreKitTesting", targets: ["ScoreKitTesting"]),
        .library(name: "ScoreKitMetrics", targets: ["ScoreKitMetrics"]),
        .library(name: "ScoreKitMPI", targets: ["ScoreKitMPI"]),
        .executable(name: "scorekit", targets: ["scorekit"]),
        .executable(name: "scorekit-bench", targets: ["scorekit-bench"]),
        .executable(name: "digits-classifier", targets: ["digits-classifier"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // The one C shim: OpenBLAS's CBLAS interface (ENGINE-NOTES.md).
        .systemLibrary(
            name: "CScoreKitBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // MPI's C interface (Open MPI or MPICH, found through pkg-config's mpi-c), for ScoreKitMPI only.
        .systemLibrary(
            name: "CScoreKitMPI",
            path: "Sources/CMPI",
            pkgConfig: "mpi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        // The process group of ranks started by mpirun; Core holds only the protocol.
        .target(
            name: "ScoreKitMPI", dependencies: ["CScoreKitMPI", "ScoreKitCore"], path: "Sources/MPI",
            swiftSettings: strictSettings),
        .target(
            name: "ScoreKitCore",
            dependencies: ["CScoreKitBLAS"],
            path: "Sources/Core",
            swiftSettings: strictSettings
        ),
        .target(
            name: "ScoreKitSDEs", dependencies: ["ScoreKitCore"], path: "Sources/SDEs", swiftSettings: strictSettings),
        .target(
            name: "ScoreKitSamplers", dependencies: ["ScoreKitCore"], path: "Sources/Samplers",
            swiftSettings: strictSettings),
        .target(
            name: "ScoreKitNetworks", dependencies: ["ScoreKitCore"], path: "Sources/Networks",
            swiftSettings: strictSettings),
        .target(
            name: "ScoreKitLosses", dependencies: ["ScoreKitCore"], path: "Sources/Losses",
            swiftSettings: strictSettings),
        .target(
            name: "ScoreKitRunner",
            dependencies: [
                "ScoreKitCore", "ScoreKitSDEs", "ScoreKitSamplers", "ScoreKitNetworks", "ScoreKitLosses",
                "ScoreKitMetrics", .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Runner",
            exclude: ["Data/Images/Digits/README.md"],
            swiftSettings: strictSettings
        ),
        // Every subcommand, the global options and the progress display: someone else's
        // executable is `ScoreKitCommand.main(registry:)` with its own components.
        .target(
            name: "ScoreKitCommandLine",
            dependencies: [
                "ScoreKitRunner", "ScoreKitCore", "ScoreKitSamplers", "ScoreKitMPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CommandLine",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "scorekit",
            dependencies: ["ScoreKitCommandLine", "ScoreKitRunner"],
            path: "Sources/scorekit",
            swiftSettings: strictSettings
        ),
        .target(
            name: "ScoreKitTesting", dependencies: ["ScoreKitCore"], path: "Sources/TestSupport",
            swiftSettings: strictSettings),
        // Sample-quality metrics that `evaluate` reports (and the sampler tests check).
        .target(
            name: "ScoreKitMetrics", dependencies: ["ScoreKitCore"], path: "Sources/Metrics",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "scorekit-bench",
            dependencies: [
                "ScoreKitCore", "ScoreKitSDEs", "ScoreKitNetworks", "ScoreKitLosses", "ScoreKitSamplers",
                "ScoreKitRunner",
            ],
            path: "Sources/Benchmarks",
            swiftSettings: strictSettings
        ),
        // A tool, not part of the library: the classifier that checks generated digits (docs/IMAGES.md).
        .executableTarget(
            name: "digits-classifier",
            dependencies: ["ScoreKitCore", "ScoreKitNetworks", "ScoreKitRunner"],
            path: "scripts/Sources/DigitsClassifier",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CoreTests", dependencies: ["ScoreKitCore", "ScoreKitTesting"], path: "Tests/CoreTests",
            swiftSettings: strictSettings),
        .testTarget(
            name: "TrainingTests",
            dependencies: [
                "ScoreKitCore", "ScoreKitSDEs", "ScoreKitNetworks", "ScoreKitLosses", "ScoreKitRunner",
                "ScoreKitTesting",
            ],
            path: "Tests/TrainingTests",
            swiftSettings: strictSettings),
        .testTarget(
            name: "NetworksTests",
            dependencies: ["ScoreKitCore", "ScoreKitNetworks", "ScoreKitLosses", "ScoreKitTesting"],
            path: "Tests/NetworksTests",
            swiftSettings: strictSettings),
        .testTarget(
            name: "LossesTests",
            dependencies: ["ScoreKitCore", "ScoreKitLosses", "ScoreKitNetworks", "ScoreKitTesting"],
            path: "Tests/LossesTests",
            swiftSettings: strictSettings),
        .testTarget(
            name: "RunnerTests",
            dependencies: [
                "ScoreKitRunner", "ScoreKitCore", "ScoreKitSDEs", "ScoreKitNetworks", "ScoreKitLosses",
                "ScoreKitSamplers", "ScoreKitMetrics",
                "ScoreKitTesting", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RunnerTests",
            swiftSettings: strictSettings),
        .testTarget(
            name: "SamplersTests",
            dependencies: [
                "ScoreKitCore", "ScoreKitSamplers", "ScoreKitSDEs", "ScoreKitNetworks", "ScoreKitRunner",
                "ScoreKitMetrics", "ScoreKitTesting",
            ],
            path: "Tests/SamplersTests",
            swiftSettings: strictSettings),
        .testTarget(
            name: "SDEsTests",
            dependencies: ["ScoreKitCore", "ScoreKitSDEs", "ScoreKitNetworks", "ScoreKitTesting"],
            path: "Tests/SDEsTests",
            swiftSettings: strictSettings),
    ]
)
