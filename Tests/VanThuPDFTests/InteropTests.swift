import Foundation
import Testing
import VanThuPDF

/// Independent tools check what we write, and we check what pyHanko writes.
/// Each test skips with its reason when its tool is not installed.
@Suite("Interop: qpdf, pdfsig, pyHanko")
struct InteropTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.shared() }

    func signed(_ original: [UInt8], times: Int) async throws -> [UInt8] {
        var pdf = original
        for i in 0..<times {
            let request = PDFSignatureRequest(signingTime: Date(timeIntervalSince1970: 1_790_000_000 + Double(i)))
            pdf = try await PDFSigner.sign(pdf, request: request, producer: pki.coreProducer(index: i))
        }
        return pdf
    }

    func inputs(_ directory: TemporaryDirectory) throws -> [(String, [UInt8])] {
        [("classic xref", Fixtures.classicPDF(pages: 2)), ("object streams", try Fixtures.objectStreamPDF(pages: 2, in: directory)),
         ("hybrid", ParserTests.hybridPDF())]
    }

    @Test("qpdf --check finds nothing wrong after one, two and three signatures",
          .enabled(if: Tool.path("qpdf") != nil, "qpdf is not installed (apt-get install qpdf)"), .timeLimit(.minutes(3)))
    func qpdfCheck() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for (label, original) in try inputs(directory) {
            var pdf = original
            for round in 1...3 {
                pdf = try await signed(pdf, times: 1)
                let file = try directory.write(pdf, to: "check.pdf")
                let result = try Tool.run("qpdf", ["--check", file.path])
                #expect(result.status == 0, "\(label), \(round) signature(s): \(result.output)")
                #expect(!result.output.contains("WARNING"), "\(label), \(round) signature(s): \(result.output)")
                #expect(result.output.contains("No syntax or stream encoding errors found"), "\(label): \(result.output)")
            }
        }
    }

    /// An NSS database trusting only the test root, as pdfsig needs.
    func nssDatabase(_ directory: TemporaryDirectory) throws -> URL {
        let db = directory.file("nss")
        try FileManager.default.createDirectory(at: db, withIntermediateDirectories: true)
        var result = try Tool.run("certutil", ["-N", "-d", "sql:\(db.path)", "--empty-password"])
        #expect(result.status == 0, "\(result.output)")
        result = try Tool.run("certutil", ["-A", "-d", "sql:\(db.path)", "-n", "vanthu-dev-root", "-t", "CT,C,C", "-a", "-i", pki.rootCertificate.path])
        #expect(result.status == 0, "\(result.output)")
        return db
    }

    @Test("pdfsig reports every signature valid and its certificate trusted by our root",
          .enabled(if: Tool.path("pdfsig") != nil && Tool.path("certutil") != nil,
                   "pdfsig or certutil is not installed (apt-get install poppler-utils libnss3-tools)"),
          .timeLimit(.minutes(3)))
    func pdfsig() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = try nssDatabase(directory)
        for (label, original) in try inputs(directory) {
            let file = try directory.write(try await signed(original, times: 3), to: "signed.pdf")
            let result = try Tool.run("pdfsig", ["-nssdir", db.path, file.path])
            let output = result.output
            #expect(output.components(separatedBy: "Signature is Valid.").count - 1 == 3, "\(label): \(output)")
            #expect(output.components(separatedBy: "Certificate is Trusted.").count - 1 == 3, "\(label): \(output)")
            #expect(output.components(separatedBy: "ETSI.CAdES.detached").count - 1 == 3, "\(label): \(output)")
            #expect(output.components(separatedBy: "Total document signed").count - 1 == 1, "\(label): \(output)")
            #expect(output.contains(TestPKI.signerName), "\(label): \(output)")
        }
        // pdfsig 22.12 (NSS) reports "Unknown issue with Certificate" for a second signature
        // by a certificate it has already seen in the same file; the signature itself must
        // still be valid, which is what this checks.
        var twice = Fixtures.classicPDF()
        for _ in 0..<2 { twice = try await PDFSigner.sign(twice, request: PDFSignatureRequest(), producer: pki.coreProducer()) }
        let file = try directory.write(twice, to: "twice.pdf")
        let output = try Tool.run("pdfsig", ["-nssdir", db.path, file.path]).output
        #expect(output.components(separatedBy: "Signature is Valid.").count - 1 == 2, "\(output)")
    }

    static let validateScript = """
    import sys
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pyhanko.keys import load_cert_from_pemder
    root, ca, path = sys.argv[1:4]
    vc = ValidationContext(trust_roots=[load_cert_from_pemder(root)], other_certs=[load_cert_from_pemder(ca)], allow_fetching=False)
    with open(path, 'rb') as f:
        reader = PdfFileReader(f)
        for sig in reader.embedded_signatures:
            st = validate_pdf_signature(sig, vc)
            level = st.modification_level.name if st.modification_level is not None else 'NONE'
            print(sig.field_name, 'intact=%s valid=%s trusted=%s coverage=%s modification=%s bottom_line=%s'
                  % (st.intact, st.valid, st.trusted, st.coverage.name, level, st.bottom_line))
    """

    @Test("pyHanko validates our signatures against our development root, all three of them",
          .enabled(if: Tool.hasPyHanko, "pyHanko is not installed (pip install pyhanko pyhanko-certvalidator)"),
          .timeLimit(.minutes(3)))
    func pyHankoValidatesOurs() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try directory.write(Array(Self.validateScript.utf8), to: "validate.py")
        // pyHanko's default policy refuses hybrid-reference files (a shadow-attack risk), so they are left out.
        for (label, original) in try inputs(directory) where label != "hybrid" {
            let file = try directory.write(try await signed(original, times: 3), to: "signed.pdf")
            let result = try Tool.run("python3", [script.path, pki.rootCertificate.path, pki.caCertificate.path, file.path])
            #expect(result.status == 0, "\(label): \(result.output)")
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count == 3, "\(label): \(result.output)")
            for line in lines {
                #expect(line.contains("intact=True valid=True trusted=True"), "\(label): \(line)")
                #expect(line.contains("bottom_line=True"), "\(label): \(line)")
            }
            #expect(lines.last?.contains("coverage=ENTIRE_FILE") == true, "\(label): \(result.output)")
            #expect(lines.first?.contains("modification=LTA_UPDATES") == true || lines.first?.contains("modification=FORM_FILLING") == true,
                    "\(label): \(result.output)")
        }
    }

    @Test("pyHanko and pdfsig accept the approver, stamp and seal signatures with their appearances",
          .enabled(if: Tool.hasPyHanko && Tool.path("pdfsig") != nil && AppearanceTests.fontInstalled,
                   "pyHanko, pdfsig or fonts-liberation2 is not installed"),
          .timeLimit(.minutes(3)))
    func appearancesInterop() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write(try await AppearanceTests().approvedAndSealed(), to: "sealed.pdf")
        let script = try directory.write(Array(Self.validateScript.utf8), to: "validate.py")
        let result = try Tool.run("python3", [script.path, pki.rootCertificate.path, pki.caCertificate.path, file.path])
        let lines = result.stdout.split(separator: "\n")
        #expect(result.status == 0 && lines.count == 3, "\(result.output)")
        #expect(lines.allSatisfy { $0.contains("intact=True valid=True trusted=True") && $0.contains("bottom_line=True") }, "\(result.output)")
        let db = try nssDatabase(directory)
        let pdfsig = try Tool.run("pdfsig", ["-nssdir", db.path, file.path]).output
        #expect(pdfsig.components(separatedBy: "Signature is Valid.").count - 1 == 3, "\(pdfsig)")
        #expect(pdfsig.contains("Ký duyệt") && pdfsig.contains("Dấu cơ quan"), "field names in UTF-16: \(pdfsig)")
    }

    static let signScript = """
    import sys
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    key, cert, ca, source, target, field = sys.argv[1:7]
    signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(ca,))
    with open(source, 'rb') as f:
        writer = IncrementalPdfFileWriter(f)
        meta = signers.PdfSignatureMetadata(field_name=field, subfilter=SigSeedSubFilter.PADES, md_algorithm='sha256')
        with open(target, 'wb') as out:
            signers.sign_pdf(writer, meta, signer=signer, output=out)
    """

    @Test("we verify PDFs signed by pyHanko, with one and with several signatures",
          .enabled(if: Tool.hasPyHanko, "pyHanko is not installed (pip install pyhanko pyhanko-certvalidator)"),
          .timeLimit(.minutes(3)))
    func weValidatePyHanko() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try directory.write(Array(Self.signScript.utf8), to: "sign.py")
        // pyHanko refuses to sign hybrid-reference files unless told to, so they are left out here.
        for (label, original) in try inputs(directory) where label != "hybrid" {
            var current = try directory.write(original, to: "in-0.pdf")
            for round in 1...3 {
                let next = directory.file("in-\(round).pdf")
                let useSeal = round == 3
                let result = try Tool.run("python3", [
                    script.path, (useSeal ? pki.sealKey : pki.signerKey).path, (useSeal ? pki.sealCertificate : pki.signerCertificate).path,
                    pki.caCertificate.path, current.path, next.path, "PyHanko\(round)",
                ])
                try #require(result.status == 0, "\(label): \(result.output)")
                current = next
                let report = try await PDFSignatureValidator.verify(fileAt: current, verifier: pki.coreVerifier())
                #expect(report.signatures.count == round, "\(label)")
                #expect(report.signatures.allSatisfy { $0.indication == .totalPassed }, "\(label): \(report.signatures.map(\.problems))")
                #expect(report.signatures.last?.coversWholeDocument == true, "\(label)")
                for earlier in report.signatures.dropLast() {
                    #expect(earlier.laterRevisions.allSatisfy { $0.kind != .content }, "\(label): \(earlier.laterRevisions)")
                }
            }
            // Ours after pyHanko's: both stay valid in both validators.
            let mixed = try await signed([UInt8](try Data(contentsOf: current)), times: 1)
            let report = try await PDFSignatureValidator.verify(mixed, verifier: pki.coreVerifier())
            #expect(report.signatures.count == 4 && report.signatures.allSatisfy { $0.indication == .totalPassed }, "\(label)")
        }
    }
}
