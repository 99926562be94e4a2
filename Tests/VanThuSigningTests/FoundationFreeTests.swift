import Foundation
import Testing

/// VanThuSigning and VanThuPDF use FoundationEssentials only: full Foundation brings
/// CoreFoundation and ICU into every program that signs or verifies, about 6 MiB of its peak
/// memory (BENCHMARKS.md, PDF signatures). `import Foundation` is allowed only as the fallback
/// of `#if canImport(FoundationEssentials)`, for platforms without it.
@Suite struct FoundationFreeTests {
    static let foundationModules: Set<String> = ["Foundation", "FoundationInternationalization", "FoundationNetworking",
                                                 "FoundationXML", "CoreFoundation"]

    @Test(arguments: ["Sources/VanThuSigning", "Sources/VanThuPDF"])
    func librariesImportFoundationEssentialsOnly(directory: String) throws {
        let root = TestPKI.repositoryRoot.appendingPathComponent(directory)
        let files = try #require(FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String])
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 5)
        for file in files {
            let lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (index, raw) in lines.enumerated() {
                // `import Foundation`, `@preconcurrency import Foundation`, `import struct Foundation.URL`,
                // with tabs or a trailing comment; Foundation's other modules are never allowed.
                let line = raw.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false)[0]
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard words.contains("import"), let module = words.last?.split(separator: ".").first,
                      Self.foundationModules.contains(String(module)) else { continue }
                let guarded = module == "Foundation" && words.count == 2 && index >= 3
                    && lines[index - 1].trimmingCharacters(in: .whitespaces) == "#else"
                    && lines[index - 3].trimmingCharacters(in: .whitespaces) == "#if canImport(FoundationEssentials)"
                #expect(guarded, "\(directory)/\(file):\(index + 1) imports \(module)")
            }
        }
    }
}
