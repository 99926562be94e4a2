// swift-tools-version:6.1
// Throughput benchmarks for VanThuSigning, compared with `openssl speed` by ./run.sh.
// A separate package so the main build stays lean.
import Foundation
import PackageDescription

// A path dependency is identified by its folder's name, which differs between worktrees.
let parent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "VanThuBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "vanthu-bench",
            dependencies: [.product(name: "VanThuSigning", package: parent)]
        ),
    ]
)
