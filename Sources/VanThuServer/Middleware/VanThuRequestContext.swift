import Foundation
import Hummingbird
import VanThuAPI
import VanThuStore

/// The per-request context: Hummingbird's core storage plus the authenticated person, if any.
public struct VanThuRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var actor: Principal?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.actor = nil
    }

    /// JSON bodies are small; files arrive as streamed multipart and are not collected.
    public var maxUploadSize: Int { 1 << 20 }

    public var requestDecoder: JSONDecoder { APIJSON.decoder }
    public var responseEncoder: JSONEncoder { APIJSON.encoder }

    /// The authenticated person; routes behind `AuthenticationMiddleware` always have one.
    func requireActor() throws -> Principal {
        guard let actor else { throw ProblemError(.unauthorized, code: "unauthenticated", "log in first") }
        return actor
    }
}


enum APIJSON {
    static let decoder = APICoding.makeDecoder()
    static let encoder = APICoding.makeEncoder()
}

extension JSONDecoder: @retroactive RequestDecoder {}
extension JSONEncoder: @retroactive ResponseEncoder {}
