package identity

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/pg"
)

// LoginRequest is the body of POST /v1/auth/login.
type LoginRequest struct {
	// Tenant is the tenant's slug or one of its domains.
	Tenant   string `json:"tenant"`
	Email    string `json:"email"`
	Password string `json:"password"`
	// Session SessionCookie asks for a browser session: the refresh token
	// is set as a cookie instead of being returned (see session.go).
	Session string `json:"session"`
}

// SessionCookie is the LoginRequest.Session of a browser session.
const SessionCookie = "cookie"

// Login checks a password and issues tokens. Every failure is
// ErrBadCredentials with the same message and about the same latency: an
// unknown tenant or email still costs one argon2id verification (against a
// dummy hash). Failures are throttled per account and per client address;
// an account is the tenant's slug and the email, however the tenant was named.
func (s *Service) Login(ctx context.Context, req LoginRequest, clientAddr string) (TokenPair, error) {
	v := errs.NewValidator()
	v.Check(req.Tenant != "", "tenant", "required")
	v.Check(req.Email != "", "email", "required")
	v.Check(req.Password != "", "password", "required")
	v.Check(len(req.Password) <= maxPasswordLen, "password", "too long")
	v.Check(req.Session == "" || req.Session == SessionCookie, "session", `"cookie" or absent`)
	if err := v.Err(); err != nil {
		return TokenPair{}, err
	}
	t, terr := tenantByRef(ctx, s.db, req.Tenant)
	slug := req.Tenant
	if terr == nil {
		slug = t.Slug
	}
	acct := "acct:" + strings.ToLower(slug) + "/" + strings.ToLower(req.Email)
	addr := "addr:" + clientAddr
	ev := LoginEvent{Method: LoginPassword, TenantSlug: slug, Email: strings.ToLower(req.Email), ClientAddr: clientAddr}
	if wait := s.throttleWait(ctx, acct, addr); wait > 0 {
		err := ErrTooManyAttempts.WithDetail("too many failed logins; try again in %d seconds", int(wait.Seconds()+0.999))
		s.metrics.RateLimited(obs.RateLimitLoginThrottle)
		s.recordLogin(ctx, ev, err)
		return TokenPair{}, err
	}
	pair, err := s.login(ctx, req, t, terr, &ev)
	if isErr(err, ErrBadCredentials) {
		s.throttleNote(ctx, s.throttles.Accounts.Fail(ctx, acct))
		s.throttleNote(ctx, s.throttles.Addresses.Fail(ctx, addr))
		err = ErrBadCredentials
	}
	if err == nil {
		s.throttleNote(ctx, s.throttles.Accounts.Succeed(ctx, acct))
	}
	s.recordLogin(ctx, ev, err)
	return pair, err
}

// throttleWait is how long a login of account acct from address addr must
// wait. A throttle that cannot answer (Redis down) is logged and lets the
// login through, as the rate limiter does: argon2id still bounds guessing.
func (s *Service) throttleWait(ctx context.Context, acct, addr string) time.Duration {
	a, err := s.throttles.Accounts.Wait(ctx, acct)
	s.throttleNote(ctx, err)
	b, err := s.throttles.Addresses.Wait(ctx, addr)
	s.throttleNote(ctx, err)
	return max(a, b)
}

// throttleNote logs a throttle's error.
func (s *Service) throttleNote(ctx context.Context, err error) {
	if err != nil {
		s.logger.ErrorContext(ctx, "login throttle failed; login let through", "error", err.Error())
	}
}

// login checks the password against tenant t (or terr, the failure to find
// it); it fills in ev's tenant and user ids as they become known.
func (s *Service) login(ctx context.Context, req LoginRequest, t Tenant, terr error, ev *LoginEvent) (TokenPair, error) {
	if terr != nil || t.Status != TenantActive {
		VerifyPassword(req.Password, s.dummyHash, s.params)
		if terr != nil && !isErr(terr, ErrTenantNotFound) {
			return TokenPair{}, terr
		}
		return TokenPair{}, ErrBadCredentials
	}
	ev.TenantID = t.ID
	var pair TokenPair
	err := s.tenantTx(ctx, t.ID, func(tx *sqlx.Tx) error {
		u, err := userByEmail(ctx, tx, req.Email)
		if err != nil && !isErr(err, ErrUserNotFound) {
			return err
		}
		if err != nil || u.Status != UserActive || u.PasswordHash == "" {
			VerifyPassword(req.Password, s.dummyHash, s.params)
			return ErrBadCredentials
		}
		ev.UserID = u.ID
		ok, stale := VerifyPassword(req.Password, u.PasswordHash, s.params)
		if !ok {
			return ErrBadCredentials
		}
		now := s.now()
		if stale {
			if h, err := HashPassword(req.Password, s.params); err == nil {
				u.PasswordHash = h
			}
		}
		u.LastLoginAt = &now
		if err := updateUser(ctx, tx, u); err != nil {
			return err
		}
		pair, err = s.issue(ctx, tx, t.ID, u.ID, ids.New())
		return err
	})
	return pair, err
}

// issue mints an access token and a refresh token of family familyID.
func (s *Service) issue(ctx context.Context, tx *sqlx.Tx, tenantID, userID, familyID string) (TokenPair, error) {
	p, err := principalFor(ctx, tx, tenantID, userID)
	if err != nil {
		return TokenPair{}, err
	}
	now := s.now()
	access, err := s.keys.signAccessToken(p, now)
	if err != nil {
		return TokenPair{}, err
	}
	jti, err := accessTokenID(access)
	if err != nil {
		return TokenPair{}, err
	}
	refresh := "rrt_" + randomToken(32)
	if err := insertRefresh(ctx, tx, tenantID, userID, familyID, hashToken(refresh), jti, now, RefreshTokenTTL); err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", ExpiresIn: int(AccessTokenTTL / time.Second)}, nil
}

// RefreshRequest is the body of POST /v1/auth/refresh and /v1/auth/logout.
type RefreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

// Refresh rotates a refresh token: it is spent and a new pair of the same
// family is issued. Presenting a spent token again revokes the whole family,
// so a stolen token and its legitimate successor both stop working.
func (s *Service) Refresh(ctx context.Context, req RefreshRequest) (TokenPair, error) {
	if req.RefreshToken == "" {
		return TokenPair{}, ErrBadRefreshToken
	}
	var pair TokenPair
	var reused bool
	err := pg.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		rt, err := refreshByHash(ctx, tx, hashToken(req.RefreshToken))
		if err != nil {
			return err
		}
		if err := setTenant(ctx, tx, rt.TenantID); err != nil {
			return err
		}
		now := s.now()
		if rt.RevokedAt != nil {
			return ErrBadRefreshToken.WithDetail("the refresh token has been revoked")
		}
		spent, err := spendRefresh(ctx, tx, rt.ID, now)
		if err != nil {
			return err
		}
		if !spent {
			reused = true
			if err := revokeFamily(ctx, tx, rt.FamilyID, now); err != nil {
				return err
			}
			return s.revokeSessionAccess(ctx, tx, rt.TenantID, rt.FamilyID) // committed: the family stays revoked
		}
		if !rt.ExpiresAt.After(now) {
			return ErrBadRefreshToken.WithDetail("the refresh token has expired")
		}
		if err := s.tenants.active(ctx, rt.TenantID); err != nil {
			return err
		}
		u, err := userRowByID(ctx, tx, rt.UserID)
		if err != nil || u.Status != UserActive {
			return ErrBadRefreshToken.WithDetail("the user is not active")
		}
		pair, err = s.issue(ctx, tx, rt.TenantID, rt.UserID, rt.FamilyID)
		return err
	})
	if err != nil {
		return TokenPair{}, err
	}
	if reused {
		s.logger.WarnContext(ctx, "refresh token reused; family revoked")
		return TokenPair{}, ErrBadRefreshToken.WithDetail("the refresh token was already used; the session has been revoked")
	}
	return pair, nil
}

// Logout revokes the refresh token's whole family (the session) and the
// access tokens issued with it, at once on this replica and within a second
// on the others (revocation.go). Unknown tokens are ignored, so logging out
// twice succeeds.
func (s *Service) Logout(ctx context.Context, req RefreshRequest) error {
	if req.RefreshToken == "" {
		return nil
	}
	err := pg.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		rt, err := refreshByHash(ctx, tx, hashToken(req.RefreshToken))
		if err != nil {
			return err
		}
		if err := setTenant(ctx, tx, rt.TenantID); err != nil {
			return err
		}
		if err := revokeFamily(ctx, tx, rt.FamilyID, s.now()); err != nil {
			return err
		}
		return s.revokeSessionAccess(ctx, tx, rt.TenantID, rt.FamilyID)
	})
	if isErr(err, ErrBadRefreshToken) {
		return nil
	}
	return err
}

// AcceptInvitationRequest is the body of POST /v1/auth/accept-invitation.
type AcceptInvitationRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// AcceptInvitation sets the invited user's password, activates them and
// signs them in.
func (s *Service) AcceptInvitation(ctx context.Context, req AcceptInvitationRequest) (TokenPair, error) {
	v := errs.NewValidator()
	v.Check(req.Token != "", "token", "required")
	v.Check(len(req.Password) >= MinPasswordLen, "password", "at least 10 characters")
	v.Check(len(req.Password) <= maxPasswordLen, "password", "at most 256 characters")
	if err := v.Err(); err != nil {
		return TokenPair{}, err
	}
	hash, err := HashPassword(req.Password, s.params)
	if err != nil {
		return TokenPair{}, err
	}
	var pair TokenPair
	err = pg.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		inv, err := invitationByHash(ctx, tx, hashToken(req.Token))
		if err != nil {
			return err
		}
		now := s.now()
		if inv.AcceptedAt != nil || !inv.ExpiresAt.After(now) {
			return ErrBadInvitation
		}
		if err := s.tenants.active(ctx, inv.TenantID); err != nil {
			return ErrBadInvitation.Wrap(err)
		}
		if err := setTenant(ctx, tx, inv.TenantID); err != nil {
			return err
		}
		u, err := userRowByID(ctx, tx, inv.UserID)
		if err != nil || u.Status != UserInvited {
			return ErrBadInvitation
		}
		u.PasswordHash, u.Status, u.UpdatedAt, u.Version = hash, UserActive, now, u.Version+1
		u.LastLoginAt = &now
		if err := updateUser(ctx, tx, u); err != nil {
			return err
		}
		if err := acceptInvitation(ctx, tx, inv.ID, now); err != nil {
			return err
		}
		pair, err = s.issue(ctx, tx, inv.TenantID, u.ID, ids.New())
		return err
	})
	return pair, err
}

// invite creates an invitation for user userID and returns its token.
func (s *Service) invite(ctx context.Context, tx *sqlx.Tx, tenantID, userID string) (string, error) {
	token := "rit_" + randomToken(32)
	return token, insertInvitation(ctx, tx, tenantID, userID, hashToken(token), s.now(), InvitationTTL)
}

// invitationLink is where an invited user sets their password.
func (s *Service) invitationLink(token string) string {
	return strings.TrimRight(s.publicURL, "/") + "/accept-invitation?token=" + token
}

// nullString wraps s as a nullable column value.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
