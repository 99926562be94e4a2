import Foundation
import Testing
@testable import VanThuSigning

/// Reports of every kind conform to Schemas/validation-report.schema.json.
@Suite struct ReportSchemaTests {
    let pki = TestPKI.shared

    @Test func reportsConformToTheSchema() throws {
        let schemaURL = TestPKI.repositoryRoot.appendingPathComponent("Schemas/validation-report.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
        let file = try temporaryDirectory("schema").appendingPathComponent("a.txt")
        try write("Báo cáo tổng kết năm học", to: file)
        let validator = SignatureValidator(trustStore: try pki.trustStore())
        var reports: [ValidationReport] = []
        for user in ["hung.nv", "tung.dv"] {
            let signature = try CAdESSigner(identity: pki.identity(user)).signSynchronously(fileAt: file.path)
            reports.append(try validator.validateSynchronously(signature: signature, contentAt: file.path))
        }
        reports.append(try validator.validateSynchronously(signature: [1, 2, 3], contentAt: file.path))
        let other = SignatureValidator(trustStore: try TrustStore(anchors: Certificate.load(contentsOf: pki.fixtureCert("other-root"))))
        let signature = try CAdESSigner(identity: pki.identity("lan.tt")).signSynchronously(fileAt: file.path)
        reports.append(try other.validateSynchronously(signature: signature, contentAt: file.path))
        #expect(reports.map(\.subIndication) == [nil, .revokedNoPOE, .formatFailure, .noCertificateChainFound])

        for report in reports {
            let json = try JSONSerialization.jsonObject(with: report.json())
            let problems = SchemaCheck(root: schema).problems(json, schema, path: "$")
            #expect(problems.isEmpty, "\(problems)")
            // Decoding and encoding again gives the same JSON (dates are kept to the second).
            #expect(try ValidationReport.decode(json: report.json()).json() == report.json())
        }
        // The checker itself catches a broken report.
        var broken = try #require(try JSONSerialization.jsonObject(with: reports[0].json()) as? [String: Any])
        broken["indication"] = "PASSED"
        broken.removeValue(forKey: "policy")
        #expect(SchemaCheck(root: schema).problems(broken, schema, path: "$").count == 2)
    }
}

/// The subset of JSON Schema 2020-12 the report schema uses.
struct SchemaCheck {
    let root: [String: Any]

    func problems(_ value: Any, _ schema: [String: Any], path: String) -> [String] {
        if let ref = schema["$ref"] as? String {
            let name = String(ref.dropFirst("#/$defs/".count))
            guard let defs = root["$defs"] as? [String: Any], let target = defs[name] as? [String: Any] else { return ["\(path): bad $ref \(ref)"] }
            return problems(value, target, path: path)
        }
        var found: [String] = []
        if let constant = schema["const"] as? String, value as? String != constant { found.append("\(path): not \(constant)") }
        if let options = schema["enum"] as? [String], !(value is String && options.contains(value as! String)) {
            found.append("\(path): \(value) not in enum")
        }
        if let pattern = schema["pattern"] as? String, let text = value as? String,
           text.range(of: pattern, options: .regularExpression) == nil {
            found.append("\(path): \(text) does not match \(pattern)")
        }
        if schema["format"] as? String == "date-time", let text = value as? String, ISO8601DateFormatter().date(from: text) == nil {
            found.append("\(path): \(text) is not a date-time")
        }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return found + ["\(path): not an object"] }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { found.append("\(path).\(key): missing") }
            for (key, child) in object {
                if let childSchema = properties[key] as? [String: Any] {
                    found += problems(child, childSchema, path: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    found.append("\(path).\(key): not allowed")
                }
            }
        case "array":
            guard let array = value as? [Any] else { return found + ["\(path): not an array"] }
            if let minimum = schema["minItems"] as? Int, array.count < minimum { found.append("\(path): fewer than \(minimum) items") }
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { found += problems(item, items, path: "\(path)[\(index)]") }
            }
        case "string": if !(value is String) { found.append("\(path): not a string") }
        case "boolean": if !(value is Bool) { found.append("\(path): not a boolean") }
        default: break
        }
        return found
    }
}
