package contacts

import (
	"encoding/json"
	"slices"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// ErrPatchNotObject is returned for a merge patch that is not a JSON object.
var ErrPatchNotObject = errs.New(errs.Invalid, "patch-not-object", "a merge patch must be a JSON object")

// applyPatch applies the JSON merge patch (RFC 7396) patch to the JSON of
// current and decodes the result strictly into dst. Fields in readOnly may
// not appear in the patch.
func applyPatch(current any, patch json.RawMessage, readOnly []string, dst any) error {
	var p map[string]any
	if err := decodeNumbers(patch, &p); err != nil || p == nil {
		return ErrPatchNotObject
	}
	v := errs.NewValidator()
	for _, k := range sortedKeys(p) {
		v.Check(!slices.Contains(readOnly, k), k, "is read-only")
	}
	if err := v.Err(); err != nil {
		return err
	}
	doc, err := toMap(current)
	if err != nil {
		return err
	}
	merged, err := json.Marshal(mergeValue(doc, p))
	if err != nil {
		return err
	}
	return kitx.DecodeJSON(merged, dst)
}

// mergeValue merges patch into target as RFC 7396 describes.
func mergeValue(target, patch any) any {
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
			t[k] = mergeValue(t[k], v)
		}
	}
	return t
}
