// swift-tools-version:6.1
// libFuzzer harness over VanThuPDF's parser (./run.sh), and the program that
// bench/pdf-bench.sh times against pyHanko. A separate package, so the main build
// never needs the fuzzer runtime.
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
        .executableTarget(
            name: "PDFBenchmark",
            dependencies: [
                .product(name: "VanThuPDF", package: "VanThu"),
                .product(name: "VanThuSigning", package: "VanThu"),
            ]
        ),
    ]
)
