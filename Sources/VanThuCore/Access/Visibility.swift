import Foundation

/// Who may see a document. The store enforces the same rule in SQL (so that lists and counts agree);
/// this is its statement in one place, used by tests and by code that already holds the rows.
///
/// | the person's organisation …                       | sees the document |
/// | ------------------------------------------------- | ----------------- |
/// | created it                                        | yes, in any state |
/// | is a recipient, and the document has been sent    | yes               |
/// | is a recipient, not yet sent                      | no                |
/// | is its parent, child or sibling, nothing more      | no                |
///
/// Roles do not widen this: an admin of one school does not see another school's documents.
public enum DocumentVisibility {
    public static func isVisible(
        to viewerOrganisation: UUID, creator: UUID, sentTo recipients: Set<UUID>
    ) -> Bool {
        viewerOrganisation == creator || recipients.contains(viewerOrganisation)
    }
}
