// swift-tools-version:6.1
// libFuzzer harness over VanThuPDF's parser (./run.sh) and the signing and
// verification benchmark against pyHanko (./bench.sh). A separate package, so the
// main build never needs the fuzzer runtime or the benchmark's in-process signer.
import PackageDescription

let package = Package(
    name: "PDFFuzz",
    dependencies: [.package(name: "VanThu", path: "../..")],
    targets: [
        .executableTarget(
            name: "PDFParserFuzzer",
            dependencies: [.product(name: "VanThuPDF", package: "VanThu")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .target(name: "CBenchCMS", linkerSettings: [.linkedLibrary("crypto")]),
        .executableTarget(
            name: "PDFBenchmark",
            dependencies: [
                "CBenchCMS",
                .product(name: "VanThuPDF", package: "VanThu"),
                .product(name: "VanThuSigning", package: "VanThu"),
            ]
        ),
    ]
)
