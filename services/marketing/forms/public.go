package forms

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// The public submissions' rate limit: at most rateLimit submissions of a
// form per client address, and as many per submitted email, in each
// window of rateWindow (fixed windows, counted in the database so that
// every replica shares them).
const (
	rateWindow = 10 * time.Minute
	rateLimit  = 5
)

// confirmFor is how long a confirmation link works.
const confirmFor = 7 * 24 * time.Hour

// The errors of the public routes.
var (
	ErrRateLimited = errs.New(errs.RateLimited, "marketing-form-rate-limited",
		"too many submissions of this form from this address; retry after the time in Retry-After")
	ErrUndeliverable  = errs.New(errs.Unavailable, "marketing-form-undeliverable", "the confirmation mail could not be sent; try again later")
	ErrConfirmExpired = errs.New(errs.Gone, "marketing-form-confirmation-expired", "the confirmation link has expired; submit the form again")
)

// Visitor is who posts a submission: the client's address (the first hop
// of X-Forwarded-For, which the gateway sets) and its User-Agent.
type Visitor struct {
	IP, UserAgent string
}

// Result is what follows a submission or its confirmation: the
// submission's id and status (confirmed or pending_confirmation), the
// message to show or the URL to send the browser to. Form is the form,
// and RetryAfter, with ErrRateLimited, when to try again.
type Result struct {
	ID          string        `json:"id"`
	Status      string        `json:"status"`
	Message     string        `json:"message,omitempty"`
	RedirectURL string        `json:"redirectUrl,omitempty"`
	Form        Form          `json:"-"`
	RetryAfter  time.Duration `json:"-"`
}

// Public returns the form id of the caller's tenant for its hosted page:
// an inactive form is ErrNotFound, as an unknown one.
func (s *Service) Public(ctx context.Context, id string) (out Form, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out, err = activeForm(ctx, tx, id)
		return err
	})
	return out, err
}

// activeForm reads the form id if it is active.
func activeForm(ctx context.Context, tx *outbox.Tx, id string) (Form, error) {
	f, err := getForm(ctx, tx, id, false)
	if err == nil && f.Status != StatusActive {
		return Form{}, ErrNotFound
	}
	return f, err
}

// Submit takes in, a submission of the form id posted by v. It counts it
// against the rate limit first (ErrRateLimited over it); a filled
// honeypot is answered as a success and stored as nothing but a count;
// bad input is an Invalid error naming each field. An accepted
// submission is published as form.submitted at once, or, with double
// opt-in, stored pending and its confirmation link mailed to the
// submitted address. The Result carries the form, whatever the error.
func (s *Service) Submit(ctx context.Context, id string, in Input, v Visitor) (Result, error) {
	if !ids.Valid(id) {
		return Result{}, ErrNotFound
	}
	p, err := auth.Caller(ctx)
	if err != nil {
		return Result{}, err
	}
	now := pg.Timestamp(s.now()).UTC()
	window := now.Truncate(rateWindow)
	var res Result
	limited := false
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		if res.Form, err = activeForm(ctx, tx, id); err != nil {
			return err
		}
		keys := []string{"ip:" + v.IP}
		if address := in.Email(res.Form); address != "" {
			keys = append(keys, "email:"+address)
		}
		hits, err := hit(ctx, tx, id, window, keys)
		if err != nil || hits <= rateLimit {
			return err
		}
		limited = true
		return countRejection(ctx, tx, id, RejectRateLimited)
	})
	switch {
	case err != nil:
		return res, err
	case limited:
		s.logger.WarnContext(ctx, "form submission refused", "tenant", p.TenantID, "form_id", id, "reason", RejectRateLimited, "client_ip", v.IP)
		res.RetryAfter = window.Add(rateWindow).Sub(now)
		return res, ErrRateLimited
	case in.Honeypot():
		s.logger.WarnContext(ctx, "form submission refused", "tenant", p.TenantID, "form_id", id, "reason", RejectHoneypot, "client_ip", v.IP)
		return outcome(res.Form, ids.New(), res.Form.DoubleOptIn), s.reject(ctx, p.TenantID, id, RejectHoneypot)
	}
	d, err := accept(res.Form, in)
	if err != nil {
		if rerr := s.reject(ctx, p.TenantID, id, RejectInvalid); rerr != nil {
			return res, rerr
		}
		return res, err
	}
	sub := Submission{ID: ids.New(), FormID: id, Email: d.Email, ClientIP: v.IP, UserAgent: v.UserAgent, CreatedAt: now}
	d.ID, d.SubmittedAt = sub.ID, now
	status := SubmissionConfirmed
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		if d.ContactID, err = contactByEmail(ctx, tx, d.Email); err != nil {
			return err
		}
		sub.Data = d
		if !res.Form.DoubleOptIn {
			sub.ConfirmedAt = &now
			if err := insertSubmission(ctx, tx, sub, status, ""); err != nil {
				return err
			}
			return tx.Emit(ctx, marketingdb.EntityForm, marketingdb.VerbSubmitted, sub.ID, d, nil)
		}
		status = SubmissionPending
		blocked, err := suppressed(ctx, tx, d.Email)
		if err != nil {
			return err
		}
		if !blocked {
			return insertSubmission(ctx, tx, sub, SubmissionPending, "")
		}
		// The address may not be mailed: the submitter sees what anyone
		// sees, the list says why nothing follows.
		status = SubmissionRejected
		return insertSubmission(ctx, tx, sub, SubmissionRejected, ReasonSuppressed)
	})
	if err != nil {
		return res, err
	}
	if status == SubmissionPending {
		if err := s.sendConfirmation(ctx, p.TenantID, res.Form, sub); err != nil {
			return res, err
		}
	}
	return outcome(res.Form, sub.ID, res.Form.DoubleOptIn), nil
}

// sendConfirmation mails the confirmation link of sub, pending; a mail
// the relay does not take leaves it rejected as undeliverable.
func (s *Service) sendConfirmation(ctx context.Context, tenant string, f Form, sub Submission) error {
	link := s.formURL(tenant, f.ID) + "/confirm/" + confirmToken(s.cfg.Key, tenant, f.ID, sub.ID)
	l, err := confirmationMail(f, sub.Email, link)
	if err == nil {
		err = s.sendMail(ctx, l)
	}
	if err == nil {
		return nil
	}
	s.logger.ErrorContext(ctx, "form confirmation mail not sent", "tenant", tenant, "form_id", f.ID, "submission_id", sub.ID, "error", err.Error())
	if rerr := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error { return rejectSubmission(ctx, tx, sub.ID, ReasonUndeliverable) }); rerr != nil {
		return rerr
	}
	return ErrUndeliverable.Wrap(err)
}

// reject counts a submission of the form id refused for reason.
func (s *Service) reject(ctx context.Context, tenant, id, reason string) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error { return countRejection(ctx, tx, id, reason) })
}

// outcome is the Result of the submission id of f: confirmed, or pending
// when it awaits its confirmation.
func outcome(f Form, id string, pending bool) Result {
	t := textsOf(f.Language)
	r := Result{ID: id, Status: SubmissionConfirmed, Form: f}
	switch {
	case pending:
		r.Status, r.Message = SubmissionPending, t.CheckMail
	case f.RedirectURL != "":
		r.RedirectURL = f.RedirectURL
	case f.ThankYou != nil:
		r.Message = f.ThankYou.Message
	default:
		r.Message = t.ThankYou
	}
	return r
}

// Confirmation returns the form id and the state of the submission its
// confirmation token names: pending (the page offers to confirm it) or
// confirmed. A token that is not one of ours, or a submission that is
// not awaiting confirmation, is ErrSubmissionNotFound; an old one
// ErrConfirmExpired.
func (s *Service) Confirmation(ctx context.Context, id, token string) (out Result, err error) {
	return s.confirm(ctx, id, token, false)
}

// Confirm confirms the submission token names and publishes it as
// form.submitted; confirming it again changes nothing.
func (s *Service) Confirm(ctx context.Context, id, token string) (Result, error) {
	return s.confirm(ctx, id, token, true)
}

// confirm reads the submission token names, confirming it when apply.
func (s *Service) confirm(ctx context.Context, id, token string, apply bool) (out Result, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	p, err := auth.Caller(ctx)
	if err != nil {
		return out, err
	}
	subID, ok := readConfirmToken(s.cfg.Key, p.TenantID, id, token)
	if !ok {
		return out, ErrSubmissionNotFound
	}
	now := pg.Timestamp(s.now()).UTC()
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		f, err := activeForm(ctx, tx, id)
		if err != nil {
			return err
		}
		sub, status, err := getSubmission(ctx, tx, id, subID)
		switch {
		case err != nil:
			return err
		case status == SubmissionConfirmed:
			out = outcome(f, sub.ID, false)
			return nil
		case status != SubmissionPending:
			return ErrSubmissionNotFound
		case now.Sub(sub.CreatedAt) > confirmFor:
			return ErrConfirmExpired
		}
		out = outcome(f, sub.ID, true)
		if !apply {
			return nil
		}
		out = outcome(f, sub.ID, false)
		sub.Data.ConfirmedAt = &now
		if err := confirmSubmission(ctx, tx, sub.ID, sub.Data, now); err != nil {
			return err
		}
		return tx.Emit(ctx, marketingdb.EntityForm, marketingdb.VerbSubmitted, sub.ID, sub.Data, nil)
	})
	return out, err
}
