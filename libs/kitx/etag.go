package kitx

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The errors ParseIfMatch returns.
var (
	ErrBadIfMatch  = errs.New(errs.Invalid, "invalid-if-match", "the If-Match header is not a single entity tag from an ETag header")
	ErrWeakIfMatch = errs.New(errs.PreconditionFailed, "weak-if-match", "a weak entity tag never matches If-Match; send the strong ETag")
)

// ETag returns the strong entity tag of an aggregate at version, `"3"`. It is
// what ParseIfMatch reads back, since If-Match compares strong tags only.
func ETag(version int64) string {
	return `"` + strconv.FormatInt(version, 10) + `"`
}

// WeakETag returns the weak entity tag of version, `W/"3"`, for
// representations that are equivalent but not byte-identical across
// versions, such as list pages.
func WeakETag(version int64) string {
	return "W/" + ETag(version)
}

// ParseIfMatch reads the version from r's If-Match header. ok is false when
// the header is absent or "*" (any current version). A weak tag fails with
// ErrWeakIfMatch (412); anything that is not one strong tag of a version is
// ErrBadIfMatch (400).
func ParseIfMatch(r *http.Request) (version int64, ok bool, err error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	switch {
	case h == "" || h == "*":
		return 0, false, nil
	case strings.HasPrefix(h, "W/"):
		return 0, false, ErrWeakIfMatch
	}
	inner, quoted := strings.CutPrefix(h, `"`)
	inner, closed := strings.CutSuffix(inner, `"`)
	v, perr := strconv.ParseInt(inner, 10, 64)
	if !quoted || !closed || perr != nil || v < 0 {
		e := ErrBadIfMatch.WithDetail("If-Match %q is not a single strong entity tag such as \"3\"", h)
		e.Fields = []errs.FieldError{{Field: "If-Match", Reason: `must be a strong entity tag such as "3"`}}
		return 0, false, e
	}
	return v, true, nil
}
