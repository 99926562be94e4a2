// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]
// The store streams uploads through `inout` sources inside PostgresNIO's transaction closures,
// which needs async functions to stay in their caller's isolation (as PostgresNIO itself does).
let storeSettings = strict + [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]

let package = Package(
    name: "VanThu",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vanthu-server", targets: ["vanthu-server"]),
        .executable(name: "vanthu", targets: ["vanthu"]),
        .library(name: "VanThuSigning", targets: ["VanThuSigning"]),
        .library(name: "VanThuPDF", targets: ["VanThuPDF"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // C boundary: OpenSSL 3 from Debian's libssl-dev.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "VanThuSigning",
            dependencies: [
                "COpenSSL",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // C boundary: zlib from Debian's zlib1g-dev, for FlateDecode in PDF.
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "VanThuPDF",
            dependencies: ["VanThuSigning", "CZlib"],
            swiftSettings: strict
        ),
        .target(
            name: "VanThuCore",
            swiftSettings: strict
        ),
        .target(
            name: "VanThuAPI",
            dependencies: ["VanThuCore"],
            swiftSettings: strict
        ),
        .target(
            name: "VanThuStore",
            dependencies: [
                "VanThuCore", "VanThuAPI",
                "VanThuSigning",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Migrations")],
            swiftSettings: storeSettings
        ),
        .target(
            name: "VanThuServer",
            dependencies: [
                "VanThuCore", "VanThuAPI", "VanThuStore", "VanThuSigning",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "vanthu-server",
            dependencies: [
                "VanThuServer", "VanThuStore", "VanThuCore", "VanThuSigning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "vanthu",
            dependencies: [
                "VanThuAPI", "VanThuCore", "VanThuSigning", "VanThuPDF",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "VanThuSigningTests", dependencies: ["VanThuSigning"]),
        .testTarget(name: "VanThuPDFTests", dependencies: ["VanThuPDF", "VanThuSigning"]),
        .testTarget(name: "VanThuCoreTests", dependencies: ["VanThuCore"]),
        // Runs the real binaries; depending on the executables makes SwiftPM build them first.
        .testTarget(name: "EndToEndTests", dependencies: ["vanthu-server", "vanthu"]),
        .testTarget(
            name: "VanThuServerTests",
            dependencies: [
                "VanThuServer", "VanThuStore", "VanThuCore", "VanThuAPI",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
