package contacts_test

import (
	"encoding/json"
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// reply is a response (contracttest.Reply), read as a typed value
// (contracttest.Decode, id, problem), never as a map with type assertions,
// so that a wrong answer fails the test instead of panicking.
type reply struct{ contracttest.Reply }

// id returns the id of the resource r holds; none fails the test.
func (r reply) id() string {
	r.T.Helper()
	v := contracttest.Decode[struct {
		ID string `json:"id"`
	}](r)
	if v.ID == "" {
		r.T.Fatalf("the body (status %d) has no id: %s", r.Status, r.Raw)
	}
	return v.ID
}

// problemBody is a problem+json body (RFC 9457) with the invalid fields
// and, for a duplicate, the candidates (contacts' extension member).
type problemBody struct {
	Type       string                        `json:"type"`
	Title      string                        `json:"title"`
	Status     int                           `json:"status"`
	Detail     string                        `json:"detail"`
	Errors     []fieldError                  `json:"errors"`
	Duplicates []customer.DuplicateCandidate `json:"duplicates"`
}

// fieldError is one invalid field of a problem.
type fieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// problem returns r's body as a problem.
func (r reply) problem() problemBody {
	r.T.Helper()
	return contracttest.Decode[problemBody](r)
}

// field returns the reasons given for field in a problem's errors.
func (r reply) field(name string) string {
	r.T.Helper()
	for _, e := range r.problem().Errors {
		if e.Field == name {
			return e.Reason
		}
	}
	return ""
}

// items returns the items of a list's body (paged or not) as Ts.
func items[T any](r reply) []T {
	r.T.Helper()
	return contracttest.Decode[customer.Page[T]](r).Items
}

// contactOf and accountOf return r's body as a contact or an account.
func contactOf(r reply) customer.Contact {
	r.T.Helper()
	return contracttest.Decode[customer.Contact](r)
}

func accountOf(r reply) customer.Account {
	r.T.Helper()
	return contracttest.Decode[customer.Account](r)
}

// orEmpty returns *s, or "" for nil.
func orEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// stringsOf returns v, a list of strings in a decoded document, as
// []string; anything else fails the test, naming what it is.
func stringsOf(t *testing.T, what string, v any) []string {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("%s is %T, want a list of strings", what, v)
	}
	out := make([]string, len(list))
	for i, s := range list {
		if out[i], ok = s.(string); !ok {
			t.Fatalf("%s/%d is %T, want a string", what, i, s)
		}
	}
	return out
}

// object decodes raw, a JSON object, for comparisons of whole documents;
// anything else fails the test, naming what it is.
func object(t *testing.T, what string, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		t.Fatalf("%s is no JSON object (%v): %s", what, err, raw)
	}
	return m
}
