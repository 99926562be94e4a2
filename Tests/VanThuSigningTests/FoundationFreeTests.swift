import Foundation
import Testing

/// VanThuSigning and VanThuPDF use FoundationEssentials only: full Foundation brings
/// CoreFoundation and ICU into every program that signs or verifies, about 6 MiB of its peak
/// memory (BENCHMARKS.md, PDF signatures). `import Foundation` is allowed only as the fallback
/// of `#if canImport(FoundationEssentials)`, for platforms without it.
@Suite struct FoundationFreeTests {
    @Test(arguments: ["Sources/VanThuSigning", "Sources/VanThuPDF"])
    func librariesImportFoundationEssentialsOnly(directory: String) throws {
        let root = TestPKI.repositoryRoot.appendingPathComponent(directory)
        let files = try #require(FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String])
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 5)
        for file in files {
            let lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (index, line) in lines.enumerated() {
                // `import Foundation`, `@preconcurrency import Foundation`, `import struct Foundation.URL`, …
                let words = line.split(separator: " ")
                guard words.contains("import"), let module = words.last?.split(separator: ".").first, module == "Foundation" else { continue }
                let guarded = line == "import Foundation" && index >= 3 && lines[index - 1] == "#else"
                    && lines[index - 3] == "#if canImport(FoundationEssentials)"
                #expect(guarded, "\(directory)/\(file):\(index + 1) imports Foundation")
            }
        }
    }
}
