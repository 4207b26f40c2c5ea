package kitx_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

func TestCursorThroughServer(t *testing.T) {
	srv, _ := newTestServer(t)
	other, err := kitx.NewCursors([]byte(strings.Repeat("k", kitx.MinCursorKeyLen)))
	if err != nil {
		t.Fatal(err)
	}

	// The first page's nextCursor leads to the second page.
	resp, body := do(t, http.MethodGet, srv.URL+"/contacts", "", nil, nil)
	var first listResponse
	if err := json.Unmarshal(body, &first); err != nil || resp.StatusCode != 200 {
		t.Fatalf("first page: status %d, body %s, err %v", resp.StatusCode, body, err)
	}
	good := first.NextCursor
	payload, sig, _ := strings.Cut(good, ".")

	tests := []struct {
		name      string
		cursor    string
		wantAfter string // for a 200
		wantBad   bool
	}{
		{"round trip", good, "x", false},
		{"tampered payload", "eyJhZnRlciI6ImFkbWluIn0." + sig, "", true},
		{"tampered signature", payload + "." + strings.Repeat("A", len(sig)), "", true},
		{"no signature", payload, "", true},
		{"not base64", "!!!.???", "", true},
		{"other key", other.EncodeCursor(map[string]string{"after": "x"}), "", true},
		{"too long", strings.Repeat("a", 5000), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, http.MethodGet, srv.URL+"/contacts?cursor="+url.QueryEscape(tt.cursor), "", nil, nil)
			if tt.wantBad {
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status got %d, want 400", resp.StatusCode)
				}
				p := problemOf(t, resp, body)
				if got, want := p.Type, kitx.ProblemTypeBase+"invalid-cursor"; got != want {
					t.Errorf("type got %q, want %q", got, want)
				}
				if len(p.Errors) != 1 || p.Errors[0].Field != "cursor" {
					t.Errorf("errors got %+v, want the field cursor", p.Errors)
				}
				return
			}
			var got listResponse
			if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
				t.Fatalf("status %d, body %s, err %v", resp.StatusCode, body, err)
			}
			if got.After != tt.wantAfter {
				t.Errorf("after got %q, want %q", got.After, tt.wantAfter)
			}
		})
	}
}

func TestNewCursorsKeyLength(t *testing.T) {
	tests := []struct {
		name    string
		key     []byte
		wantErr bool
	}{
		{"short", make([]byte, kitx.MinCursorKeyLen-1), true},
		{"minimum", make([]byte, kitx.MinCursorKeyLen), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kitx.NewCursors(tt.key)
			if got := err != nil; got != tt.wantErr {
				t.Errorf("error got %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestDecodeCursorIntoWrongShape(t *testing.T) {
	c, err := kitx.NewCursors(cursorKey)
	if err != nil {
		t.Fatal(err)
	}
	var dst struct{ N int }
	err = c.DecodeCursor(c.EncodeCursor(map[string]string{"N": "not a number"}), &dst)
	if got, want := errs.KindOf(err), errs.Invalid; got != want {
		t.Errorf("kind got %v, want %v", got, want)
	}
}

func TestLimitThroughServer(t *testing.T) {
	srv, _ := newTestServer(t)
	tests := []struct {
		query     string
		wantLimit int // 0 for a 400
	}{
		{"", kitx.DefaultLimit},
		{"limit=1", 1},
		{"limit=200", 200},
		{"limit=0", 0},
		{"limit=201", 0},
		{"limit=-5", 0},
		{"limit=ten", 0},
		{"limit=1.5", 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := do(t, http.MethodGet, srv.URL+"/contacts?"+tt.query, "", nil, nil)
			if tt.wantLimit == 0 {
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status got %d, want 400", resp.StatusCode)
				}
				p := problemOf(t, resp, body)
				if len(p.Errors) != 1 || p.Errors[0].Field != "limit" {
					t.Errorf("errors got %+v, want the field limit", p.Errors)
				}
				return
			}
			var got listResponse
			if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
				t.Fatalf("status %d, body %s, err %v", resp.StatusCode, body, err)
			}
			if got.Limit != tt.wantLimit {
				t.Errorf("limit got %d, want %d", got.Limit, tt.wantLimit)
			}
		})
	}
}

// Paged walks a list page by page: each page's next cursor reads on
// after its last item, the last page has none, and a cursor not of these
// Cursors is refused before the list is read.
func TestPaged(t *testing.T) {
	c, err := kitx.NewCursors([]byte(strings.Repeat("p", kitx.MinCursorKeyLen)))
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"a", "b", "c", "d", "e"}
	reads := 0
	read := func(after string, n int) ([]string, error) {
		reads++
		i := 0
		for i < len(all) && all[i] <= after {
			i++
		}
		return all[i:min(i+n, len(all))], nil
	}
	key := func(s string) string { return s }
	var got [][]string
	cursor := ""
	for {
		items, next, err := kitx.Paged(c, cursor, 2, read, key)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, items)
		if next == "" {
			break
		}
		cursor = next
	}
	if want := [][]string{{"a", "b"}, {"c", "d"}, {"e"}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pages %v, want %v", got, want)
	}
	other, err := kitx.NewCursors([]byte(strings.Repeat("q", kitx.MinCursorKeyLen)))
	if err != nil {
		t.Fatal(err)
	}
	reads = 0
	if _, _, err := kitx.Paged(c, other.EncodeCursor("b"), 2, read, key); !errors.Is(err, kitx.ErrBadCursor) || reads != 0 {
		t.Errorf("a foreign cursor: %v after %d reads", err, reads)
	}
}
