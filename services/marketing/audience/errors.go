package audience

import "github.com/rapport-crm/rapport/libs/errs"

// The audience's errors.
var (
	// ErrContactNotFound is a contact the projection has no row for.
	ErrContactNotFound = errs.New(errs.NotFound, "audience-contact-not-found", "contact not found in the audience")
	// ErrSegmentNotFound is a segment or list the tenant does not have.
	ErrSegmentNotFound = errs.New(errs.NotFound, "segment-not-found", "segment not found")
	// ErrIfMatchRequired is an update without If-Match.
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "If-Match is required")
	// ErrVersionMismatch is an If-Match naming another version than the
	// segment's.
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "the segment has changed since it was read")
	// ErrNotStatic is a change of members by hand on a dynamic segment.
	ErrNotStatic = errs.New(errs.Conflict, "segment-not-static", "members are added and removed by hand only on a static list")
	// ErrRebuildNotFound is a rebuild status asked of a tenant that never
	// rebuilt its audience.
	ErrRebuildNotFound = errs.New(errs.NotFound, "audience-rebuild-not-found", "the audience was never rebuilt")
	// ErrRebuildUnavailable is a rebuild asked of an instance that does not
	// know the brokers.
	ErrRebuildUnavailable = errs.New(errs.Unavailable, "audience-rebuild-unavailable", "the audience cannot be rebuilt: KAFKA_BROKERS is not set")
)
