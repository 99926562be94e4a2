import Foundation
import NIOConcurrencyHelpers

/// Sessions confirmed by the database in the last few seconds, so that a client sending many
/// requests with one token costs one session look-up per `lifetime`, not one per request.
///
/// Staleness is bounded: an entry never outlives `lifetime` nor its session's expiry. A logout
/// through this process removes the entry at once; a logout through another instance sharing the
/// database (or a change to the person's account) takes effect here within `lifetime`.
public final class SessionCache: Sendable {
    struct Entry {
        let principal: Principal
        let validUntil: ContinuousClock.Instant
    }

    public let lifetime: Duration
    public let capacity: Int
    struct State {
        var entries: [[UInt8]: Entry] = [:]
        /// Counts revocations, so that a look-up that began before one is not cached after it.
        var revocations: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())

    public init(lifetime: Duration, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
    }

    /// The cached person behind a token hash if confirmed recently enough, and the revocation
    /// count to hand back to `remember` after a look-up in the database.
    func principal(tokenHash: [UInt8]) -> (Principal?, revocations: UInt64) {
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            guard let entry = state.entries[tokenHash] else { return (nil, state.revocations) }
            guard entry.validUntil > now else {
                state.entries[tokenHash] = nil
                return (nil, state.revocations)
            }
            return (entry.principal, state.revocations)
        }
    }

    /// Remembers a session the database has just confirmed, until `lifetime` passes or the session
    /// expires, unless a session was revoked since the look-up began (it may have been this one).
    func remember(tokenHash: [UInt8], principal: Principal, sessionExpiresAt: Date, revocationsBefore: UInt64) {
        let now = ContinuousClock.now
        let untilExpiry = sessionExpiresAt.timeIntervalSinceNow
        guard lifetime > .zero, untilExpiry > 0 else { return }
        let validUntil = now + min(lifetime, .milliseconds(Int64(untilExpiry * 1000)))
        state.withLockedValue { state in
            guard state.revocations == revocationsBefore else { return }
            if state.entries.count >= capacity {
                state.entries = state.entries.filter { $0.value.validUntil > now }
                // Still full of live entries: start over rather than grow without bound.
                if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            }
            state.entries[tokenHash] = Entry(principal: principal, validUntil: validUntil)
        }
    }

    /// Forgets a token at once (its session is being revoked).
    func forget(tokenHash: [UInt8]) {
        state.withLockedValue { state in
            state.entries[tokenHash] = nil
            state.revocations &+= 1
        }
    }
}
