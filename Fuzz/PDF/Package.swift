// swift-tools-version:6.1
// libFuzzer harness over VanThuPDF's parser. Build and run with ./run.sh;
// it is a separate package so the main build never needs the fuzzer runtime.
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
    ]
)
