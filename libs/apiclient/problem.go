package apiclient

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// FieldError is one invalid field of a refused request, as the problem
// document's errors list names it (a JSON path such as "emails/0/address").
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// ProblemError is an unsuccessful response (status 400 or more) of the API,
// read from its application/problem+json body (RFC 9457). A response with
// another body still yields one, titled by its status and with an excerpt of
// the body as Detail.
type ProblemError struct {
	Status    int          `json:"status"`
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Detail    string       `json:"detail"`
	RequestID string       `json:"requestId"`
	Fields    []FieldError `json:"errors"`
	// RetryAfter is the Retry-After header of a 429 or 503 response, as sent.
	RetryAfter string `json:"-"`
}

// Error renders the status, title, detail and invalid fields.
func (p *ProblemError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", p.Status, p.Title)
	if p.Detail != "" && p.Detail != p.Title {
		b.WriteString(": " + p.Detail)
	}
	for i, f := range p.Fields {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Field + ": " + f.Reason)
		if i == len(p.Fields)-1 {
			b.WriteString(")")
		}
	}
	return b.String()
}

// Field returns the reason given for field, and whether the problem names it.
func (p *ProblemError) Field(field string) (string, bool) {
	for _, f := range p.Fields {
		if f.Field == field {
			return f.Reason, true
		}
	}
	return "", false
}

// maxDetail bounds the excerpt of a body that is not a problem document.
const maxDetail = 512

// Check returns nil for a response below 400 (including 304 Not Modified),
// and a *ProblemError for any other. Pass a generated response's
// HTTPResponse and Body.
func Check(rsp *http.Response, body []byte) error {
	if rsp == nil {
		return fmt.Errorf("apiclient: no response")
	}
	if rsp.StatusCode < 400 {
		return nil
	}
	p := &ProblemError{}
	if mt, _, _ := mime.ParseMediaType(rsp.Header.Get("Content-Type")); mt == "application/problem+json" {
		_ = json.Unmarshal(body, p) // a malformed document still yields the status below
	} else if len(body) > 0 {
		p.Detail = strings.TrimSpace(string(body[:min(len(body), maxDetail)]))
	}
	p.Status = rsp.StatusCode
	if p.Title == "" {
		p.Title = http.StatusText(rsp.StatusCode)
	}
	if p.RequestID == "" {
		p.RequestID = rsp.Header.Get("X-Request-Id")
	}
	p.RetryAfter = rsp.Header.Get("Retry-After")
	return p
}
