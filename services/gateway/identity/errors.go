package identity

import "github.com/rapport-crm/rapport/libs/errs"

// The errors of the identity package, declared once; libs/kitx maps their
// kinds to HTTP statuses.
var (
	// ErrBadCredentials answers every failed login, whatever failed: unknown
	// tenant, unknown email, wrong password, user not active.
	ErrBadCredentials  = errs.New(errs.Unauthenticated, "bad-credentials", "the tenant, email or password is not correct")
	ErrTooManyAttempts = errs.New(errs.RateLimited, "too-many-attempts", "too many failed logins; try again later")
	ErrBadRefreshToken = errs.New(errs.Unauthenticated, "invalid-refresh-token", "the refresh token is not valid")
	ErrBadInvitation   = errs.New(errs.Invalid, "invalid-invitation", "the invitation is not valid or has expired")
	ErrInvalidAPIKey   = errs.New(errs.Unauthenticated, "invalid-api-key", "the API key is not valid")
	ErrTenantInactive  = errs.New(errs.Unauthenticated, "tenant-inactive", "the tenant is suspended or deleted")
	ErrPlatformToken   = errs.New(errs.Unauthenticated, "invalid-platform-token", "a valid platform token is required")

	ErrTenantNotFound = errs.New(errs.NotFound, "tenant-not-found", "tenant not found")
	ErrUserNotFound   = errs.New(errs.NotFound, "user-not-found", "user not found")
	ErrTeamNotFound   = errs.New(errs.NotFound, "team-not-found", "team not found")
	ErrRoleNotFound   = errs.New(errs.NotFound, "role-not-found", "role not found")
	ErrAPIKeyNotFound = errs.New(errs.NotFound, "api-key-not-found", "API key not found")
	ErrSSONotFound    = errs.New(errs.NotFound, "sso-not-configured", "single sign-on is not configured for this tenant")
	ErrBadSSOCode     = errs.New(errs.Unauthenticated, "invalid-sso-code", "the sign-in code is not valid, has expired, was already used or does not match the verifier")

	ErrSlugTaken       = errs.New(errs.Conflict, "slug-taken", "a tenant with this slug exists")
	ErrEmailTaken      = errs.New(errs.Conflict, "email-taken", "a user with this email exists in the tenant")
	ErrTeamNameTaken   = errs.New(errs.Conflict, "team-name-taken", "a team with this name exists")
	ErrRoleNameTaken   = errs.New(errs.Conflict, "role-name-taken", "a role with this name exists")
	ErrBuiltinRole     = errs.New(errs.Conflict, "role-builtin", "built-in roles cannot be changed or deleted")
	ErrTeamCycle       = errs.New(errs.Conflict, "team-cycle", "a team cannot be placed under itself or one of its subordinate teams")
	ErrTeamHasMembers  = errs.New(errs.Conflict, "team-not-empty", "the team still has members or sub-teams")
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "the resource changed since you read it; fetch it again")
	ErrSelfDisable     = errs.New(errs.Conflict, "cannot-disable-self", "you cannot disable your own user")
	ErrAdminJoined     = errs.New(errs.Conflict, "admin-joined", "the tenant's first administrator has already accepted an invitation")

	ErrScopeNotHeld       = errs.New(errs.Forbidden, "scope-not-held", "an API key cannot hold a permission its creator lacks")
	ErrExchangeNotAllowed = errs.New(errs.Forbidden, "exchange-not-allowed", "this service may not call that one with its caller's authority")
	ErrSSOFailed          = errs.New(errs.Unauthenticated, "sso-failed", "single sign-on failed")
	// ErrCSRF refuses a refresh or logout that uses the browser session's
	// cookie without the matching CSRF header (session.go).
	ErrCSRF = errs.New(errs.Forbidden, "csrf-token-mismatch", "the X-CSRF-Token header is missing or does not match the rapport_csrf cookie")
)
