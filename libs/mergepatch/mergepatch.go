// Package mergepatch applies JSON merge patches (RFC 7396), the body of
// every PATCH of Rapport's services (DESIGN §3): a patch names only what
// changes, null removes a member, and the result is decoded as strictly as a
// request body.
package mergepatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// ContentType is the media type of a merge patch.
const ContentType = "application/merge-patch+json"

// The errors of reading and applying a merge patch.
var (
	ErrNotMergePatch = errs.New(errs.UnsupportedMediaType, "not-merge-patch", "PATCH bodies must be "+ContentType)
	ErrNotObject     = errs.New(errs.Invalid, "patch-not-object", "a merge patch must be a JSON object")
)

// CheckContentType returns ErrNotMergePatch unless r's body is a merge
// patch by its Content-Type; kitx.Decode then reads the body.
func CheckContentType(r *http.Request) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != ContentType {
		return ErrNotMergePatch
	}
	return nil
}

// Apply applies patch to the JSON of current and decodes the result strictly
// (kitx.DecodeJSON) into dst. A patch that is not a JSON object is
// ErrNotObject; one naming a member of readOnly is errs.Invalid naming each.
// Numbers keep the digits they were written with, in current and in patch.
func Apply(current any, patch json.RawMessage, readOnly []string, dst any) error {
	var p map[string]any
	if err := decodeNumbers(patch, &p); err != nil || p == nil {
		return ErrNotObject
	}
	v := errs.NewValidator()
	for _, k := range slices.Sorted(maps.Keys(p)) {
		v.Check(!slices.Contains(readOnly, k), k, "is read-only")
	}
	if err := v.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(current)
	if err != nil {
		return fmt.Errorf("mergepatch: encode the current value: %w", err)
	}
	var doc map[string]any
	if err := decodeNumbers(b, &doc); err != nil {
		return fmt.Errorf("mergepatch: decode the current value: %w", err)
	}
	merged, err := json.Marshal(Merge(doc, p))
	if err != nil {
		return err
	}
	return kitx.DecodeJSON(merged, dst)
}

// Merge merges patch into target as RFC 7396 describes and returns the
// result; target's maps are changed in place.
func Merge(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = Merge(t[k], v)
		}
	}
	return t
}

// decodeNumbers decodes JSON into v with numbers as json.Number.
func decodeNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}
