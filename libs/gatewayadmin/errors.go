package gatewayadmin

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The errors of the admin API, declared once. Every error the client
// returns matches one of them with errors.Is.
var (
	// ErrUnreachable: no answer, or an answer saying the gateway cannot
	// serve now (5xx, 429). Worth retrying.
	ErrUnreachable = errors.New("gateway: unreachable")
	// ErrNotFound: the gateway has no such tenant.
	ErrNotFound = errors.New("gateway: tenant not found")
	// ErrSlugTaken: another tenant, maybe a deleted one, holds the slug.
	ErrSlugTaken = errors.New("gateway: slug taken")
	// ErrAdminJoined: the tenant's first administrator has already joined,
	// so there is no invitation to issue again.
	ErrAdminJoined = errors.New("gateway: first administrator joined")
	// ErrRejected: the gateway refused the request (a bad platform token,
	// a field it does not accept, a wrong password or invitation token).
	ErrRejected = errors.New("gateway: request rejected")
)

// problem is the RFC 9457 body of the gateway's error answers.
type problem struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

// err maps the answer to one of the package's errors, with the gateway's
// own words.
func (p problem) err(method, path string, status int) error {
	msg := p.Detail
	for _, f := range p.Errors {
		msg += fmt.Sprintf("; %s: %s", f.Field, f.Reason)
	}
	var kind error
	switch {
	case status == http.StatusNotFound:
		kind = ErrNotFound
	case status == http.StatusConflict && strings.HasSuffix(p.Type, "/slug-taken"):
		kind = ErrSlugTaken
	case status == http.StatusConflict && strings.HasSuffix(p.Type, "/admin-joined"):
		kind = ErrAdminJoined
	case status >= 500 || status == http.StatusTooManyRequests:
		kind = ErrUnreachable
	default:
		kind = ErrRejected
	}
	return fmt.Errorf("%w: %s %s answered %d: %s", kind, method, path, status, msg)
}
