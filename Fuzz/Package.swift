// swift-tools-version:6.1
// libFuzzer harnesses for VanThuSigning's parsers of untrusted bytes. A separate package so
// the main build stays lean. Build and run with ./run.sh (see docs/signing.md).
import Foundation
import PackageDescription

// A path dependency is identified by its folder's name, which differs between worktrees.
let parent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "VanThuFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzSignatureParsing",
            dependencies: [.product(name: "VanThuSigning", package: parent)]
        ),
        .executableTarget(
            name: "FuzzCertificateParsing",
            dependencies: [.product(name: "VanThuSigning", package: parent)]
        ),
    ]
)
