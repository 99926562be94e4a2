import ArgumentParser
import Foundation
import VanThuAPI
import VanThuCore

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit a document: the first FILE is the document, any others its attachments.",
        discussion: "Prints the new document's id. Types are Decree 30 codes: QĐ, CT, TB, KH, BC, TTr, … CV for công văn, TCG for thư công.")

    @Argument(help: "The document file, then any attachments.") var files: [String]
    @Option(help: "Document type code, e.g. QĐ, BC, CV.") var type: String
    @Option(help: "Subject (trích yếu), up to 500 characters.") var subject: String
    @Option(help: "thuong, khan, thuong-khan or hoa-toc (or the Vietnamese words).") var urgency: String?
    @Option(help: "thuong, mat, toi-mat or tuyet-mat.") var confidentiality: String?
    @Option(help: "Due date, yyyy-MM-dd.") var due: String?
    @Option(name: .customLong("to"), help: "Agency code of a recipient organisation (repeatable).") var recipients: [String] = []
    @Flag(help: "Print the created document as JSON.") var json = false

    func run() async throws {
        try await reportingFailures {
            guard !files.isEmpty else { throw ClientFailure("name at least the document's file", .unusable) }
            guard DocumentTypeCatalogue.type(code: type) != nil else {
                let codes = DocumentTypeCatalogue.all.map(\.code).joined(separator: ", ")
                throw ClientFailure("'\(type)' is not a document type; use one of \(codes)", .unusable)
            }
            var urgencyValue: Urgency?
            if let urgency {
                guard let u = Urgency(text: urgency) else { throw ClientFailure("--urgency must be thuong, khan, thuong-khan or hoa-toc", .unusable) }
                urgencyValue = u
            }
            var confidentialityValue: Confidentiality?
            if let confidentiality {
                guard let c = Confidentiality(text: confidentiality) else { throw ClientFailure("--confidentiality must be thuong, mat, toi-mat or tuyet-mat", .unusable) }
                confidentialityValue = c
            }
            let dueDate: CivilDate?
            do { dueDate = try due.map { try CivilDate($0) } } catch { throw ClientFailure("\(error)", .unusable) }
            let codes: [AgencyCode]
            do { codes = try recipients.map { try AgencyCode($0) } } catch { throw ClientFailure("\(error)", .unusable) }

            let metadata = CreateDocumentRequest(type: type, subject: subject, urgency: urgencyValue, confidentiality: confidentialityValue,
                                                 dueDate: dueDate, recipients: codes.isEmpty ? nil : codes)
            let parts = try files.enumerated().map { i, path in try FileToSend.part(path, name: i == 0 ? "main" : "attachment") }
            let upload = MultipartUpload(metadata: try JSONEncoder.api.encode(metadata), files: parts)
            let session = try StoredSession.load()
            let doc = try await FileToSend.send(upload, to: "/api/v1/documents", session: session)
            if json { return printJSON(doc) }
            print(doc.id.uuidString.lowercased())
        }
    }
}

enum FileToSend {
    static func part(_ path: String, name: String) throws -> MultipartUpload.FilePart {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
              let attrs = try? FileManager.default.attributesOfItem(atPath: path), let size = attrs[.size] as? NSNumber,
              FileManager.default.isReadableFile(atPath: path)
        else { throw ClientFailure("\(path) is not a readable file", .unusable) }
        let fileName = URL(fileURLWithPath: path).lastPathComponent.precomposedStringWithCanonicalMapping
        return .init(name: name, path: path, fileName: fileName, mediaType: mediaType(for: fileName), size: size.int64Value)
    }

    static func mediaType(for name: String) -> String {
        switch URL(fileURLWithPath: name).pathExtension.lowercased() {
        case "pdf": "application/pdf"
        case "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case "doc": "application/msword"
        case "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case "xml": "application/xml"
        case "txt": "text/plain; charset=utf-8"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "zip": "application/zip"
        case "p7s": "application/pkcs7-signature"
        default: "application/octet-stream"
        }
    }

    static func send(_ upload: MultipartUpload, to path: String, session: StoredSession) async throws -> DocumentResponse {
        let client = APIClient(session: session)
        var request = client.request(.POST, path)
        request.headers.add(name: "Content-Type", value: upload.contentType)
        let fileBytes = upload.files.reduce(Int64(0)) { $0 + $1.size }
        let progress = Progress.make(total: fileBytes, label: "uploading")
        request.body = .stream(upload.pieces(progress: progress), length: .known(upload.totalLength))
        defer { progress?.finish() }
        return try await client.json(DocumentResponse.self, request)
    }
}
