package kitx

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
)

// MinCursorKeyLen is the shortest HMAC key NewCursors accepts.
const MinCursorKeyLen = 32

// maxCursorLen bounds a cursor before any decoding work is done.
const maxCursorLen = 2048

// ErrBadCursor is returned for a cursor that is malformed, tampered with or
// signed with another key.
var ErrBadCursor = errs.New(errs.Invalid, "invalid-cursor", "the cursor is not valid")

// Cursors encodes and decodes opaque, tamper-evident list cursors: the
// base64url JSON of a position followed by its HMAC-SHA256. Clients cannot
// read a cursor's structure as a contract, nor forge one.
type Cursors struct {
	key []byte
}

// NewCursors returns Cursors signing with key, which must be at least
// MinCursorKeyLen bytes. Every replica of a service must share the key.
func NewCursors(key []byte) (*Cursors, error) {
	if len(key) < MinCursorKeyLen {
		return nil, fmt.Errorf("kitx: cursor key has %d bytes, want at least %d", len(key), MinCursorKeyLen)
	}
	return &Cursors{key: append([]byte(nil), key...)}, nil
}

// EncodeCursor returns the cursor for position v. v is a value the service
// defines (typically the sort key and id of the last item); it panics if v
// cannot be marshalled to JSON, which is a programming error.
func (c *Cursors) EncodeCursor(v any) string {
	payload, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("kitx: cursor value %T cannot be marshalled: %v", v, err))
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(c.mac(payload))
}

// DecodeCursor verifies s and unmarshals its position into v. Any failure is
// ErrBadCursor with the field "cursor".
func (c *Cursors) DecodeCursor(s string, v any) error {
	payload, err := c.verify(s)
	if err == nil {
		err = json.Unmarshal(payload, v)
	}
	if err != nil {
		e := ErrBadCursor.Wrap(err)
		e.Fields = []errs.FieldError{{Field: "cursor", Reason: "invalid cursor; use a nextCursor from a previous response"}}
		return e
	}
	return nil
}

// verify checks s's signature and returns its JSON payload.
func (c *Cursors) verify(s string) ([]byte, error) {
	if len(s) > maxCursorLen {
		return nil, errors.New("cursor too long")
	}
	p, m, ok := strings.Cut(s, ".")
	if !ok {
		return nil, errors.New("no signature")
	}
	enc := base64.RawURLEncoding
	payload, err := enc.DecodeString(p)
	if err != nil {
		return nil, err
	}
	sig, err := enc.DecodeString(m)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(sig, c.mac(payload)) {
		return nil, errors.New("signature mismatch")
	}
	return payload, nil
}

func (c *Cursors) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, c.key)
	h.Write(payload)
	return h.Sum(nil)
}

// Paged reads one page of a list ordered by a string key, keyset paged:
// read is given the key of cursor ("" for the first page) and limit+1,
// and returns the items after it; the extra item says there is a next
// page, whose cursor encodes key of the page's last item (next is ""
// without one). A bad cursor is DecodeCursor's error.
func Paged[T any](c *Cursors, cursor string, limit int, read func(after string, n int) ([]T, error), key func(T) string) (items []T, next string, err error) {
	var after string
	if cursor != "" {
		if err := c.DecodeCursor(cursor, &after); err != nil {
			return nil, "", err
		}
	}
	list, err := read(after, limit+1)
	if err != nil {
		return nil, "", err
	}
	if len(list) > limit {
		return list[:limit], c.EncodeCursor(key(list[limit-1])), nil
	}
	return list, "", nil
}
