import ArgumentParser
import Foundation
import VanThuPDF
import VanThuSigning

struct Sign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign a file with a detached CAdES-B-B signature (CMS, DER), or a PDF with PAdES (--pades).",
        discussion: """
        Give either --key and --cert (PEM or DER; the certificate file may hold the chain), --p12,
        or --pkcs11 with a key on a USB token or smart card (a pkcs11: URI, e.g.
        "pkcs11:token=VNPT-CA;object=ky-so;type=private"; the certificate is read from the token
        unless --cert gives it; the module is --pkcs11-module, VANTHU_PKCS11_MODULE or p11-kit's
        proxy). Passphrases and PINs are never taken from the command line: --passphrase takes a
        source, env:VAR, file:PATH, fd:N or stdin; without it you are asked on the terminal.
        With --pades the signature goes into the PDF by incremental update (default output
        FILE-signed.pdf). Appearance per Decree 30: --rect with --title/--name/--signature-image
        for the approver; add --seal-image for the organisation's seal over that signature;
        --stamp for the attachment stamp at the top right of page 1. Without these it is invisible.
        """)

    @Argument(help: "The file to sign.") var file: String
    @Option(help: "Private key file (PEM or DER; PKCS#8, encrypted or not).") var key: String?
    @Option(help: "The signer's certificate (PEM or DER).") var cert: String?
    @Option(help: "Intermediate certificates to embed (PEM bundle).") var chain: String?
    @Option(help: "PKCS#12 file (.p12/.pfx) with key, certificate and chain.") var p12: String?
    @Option(help: "A key on a PKCS#11 token, as a pkcs11: URI.") var pkcs11: String?
    @Option(help: "The token's PKCS#11 module (default: VANTHU_PKCS11_MODULE, else p11-kit's proxy).") var pkcs11Module: String?
    @Option(help: "Passphrase (or token PIN) source: env:VAR, file:PATH, fd:N or stdin.") var passphrase: String?
    @Option(help: "Digest: sha256, sha384 or sha512.") var digest: String = "sha256"
    @Flag(help: "Use RSA-PSS instead of PKCS#1 v1.5 for RSA keys.") var pss = false
    @Option(help: "Where to write the signature (default: FILE.p7s; with --pades FILE-signed.pdf).") var out: String?
    @OptionGroup var pdf: PAdESOptions

    func run() async throws {
        try await runReportingUnusableInput {
            // What can be checked without the key is checked first: a typo never costs a
            // passphrase prompt or a token login.
            guard let algorithm = DigestAlgorithm.allCases.first(where: { $0.evpName.lowercased() == digest.lowercased() }) else {
                throw UnusableInput("The digest must be sha256, sha384 or sha512.")
            }
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw UnusableInput("The file \(file) cannot be read.")
            }
            if !pdf.pades { try pdf.requireNoPDFOptions() }
            let destination = try OutputDestination(out ?? (pdf.pades ? PAdESOptions.defaultOutput(for: file) : file + ".p7s"), signing: file)
            // The PDF is written beside its destination and renamed over it: through a symbolic
            // link's target (the link stays), never over a device or a pipe.
            if pdf.pades && ![.newFile, .regularFile].contains(destination.kind) {
                throw UnusableInput("The signed PDF must be written to a file, not to \(destination.path).")
            }
            // Reading and decrypting the key, or logging in to a token, blocks: off the cooperative pool.
            let identity = try await BlockingWork.run { [self] in try loadIdentity() }
            if pdf.pades {
                try await signPDF(identity: identity, algorithm: algorithm, destination: destination)
                return
            }
            let signer = CAdESSigner(identity: identity, digestAlgorithm: algorithm, rsaPadding: pss ? .pss : .pkcs1v15)
            let signature = try await signer.sign(fileAt: file)
            try destination.write(signature)
            let line = "Signed \(file) as \(Self.signerName(identity)): \(destination.path)".escapingControlCharacters
            if destination.mixesWithMessages {
                // The signature went to standard output or another open descriptor: the line
                // goes to standard error so that it does not mix with the signature.
                FileHandle.standardError.write(Data((line + "\n").utf8))
            } else {
                try writeStandardOutput(line + "\n")
            }
        }
    }

    private func signPDF(identity: SigningIdentity, algorithm: DigestAlgorithm, destination: OutputDestination) async throws {
        let request = try pdf.request(signerName: identity.certificate.subject.commonName, digest: algorithm)
        let producer = CAdESPDFSignatureProducer(identity: identity, rsaPadding: pss ? .pss : .pkcs1v15)
        try await PDFSigner.sign(fileAt: URL(fileURLWithPath: file), to: URL(fileURLWithPath: destination.target),
                                 request: request, producer: producer)
        try writeStandardOutput("Signed \(file) (PAdES) as \(Self.signerName(identity)): \(destination.path)".escapingControlCharacters + "\n")
    }

    private static func signerName(_ identity: SigningIdentity) -> String {
        identity.certificate.displayName
    }

    private func loadIdentity() throws -> SigningIdentity {
        if let pkcs11 {
            guard key == nil, p12 == nil else { throw UnusableInput("Give one key: --key, --p12 or --pkcs11.") }
            return try SigningIdentity(pkcs11URI: pkcs11, module: pkcs11Module, certificateFile: cert, chainFile: chain,
                                       pin: passphraseSource(passphrase, prompt: "PIN for the token: "))
        }
        if pkcs11Module != nil { throw UnusableInput("--pkcs11-module goes with --pkcs11.") }
        switch (key, cert, p12) {
        case (nil, nil, let p12?):
            if chain != nil { throw UnusableInput("--chain goes with --key and --cert; a PKCS#12 file carries its own chain.") }
            return try SigningIdentity(pkcs12File: p12, passphrase: passphraseSource(passphrase, prompt: "Passphrase for \(p12): "))
        case (let key?, let cert?, nil):
            return try SigningIdentity(keyFile: key, certificateFile: cert, chainFile: chain,
                                       passphrase: passphraseSource(passphrase, prompt: "Passphrase for \(key): "))
        default:
            throw UnusableInput("Give either --key and --cert, --p12, or --pkcs11.")
        }
    }
}
