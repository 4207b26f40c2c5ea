package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/ids"
)

// serverOwned are the fields only the server sets, whatever a schema
// says; the sweep adds each operation's readOnly properties.
var serverOwned = []string{"id", "tenantId", "version", "createdAt", "updatedAt", "score", "number"}

// bogus is a client's value for field, of the type current has (a string
// when current is nil).
func bogus(field string, current any, tenant string) any {
	switch field {
	case "id":
		return ids.New()
	case "tenantId":
		return tenant
	case "createdAt", "updatedAt":
		return "2001-02-03T04:05:06Z"
	}
	switch c := current.(type) {
	case float64:
		return 987654.0
	case bool:
		return !c
	case nil:
		if field == "version" || field == "score" {
			return 987654.0
		}
	}
	return "sweep-987654"
}

// massVerdict checks the answer to a write that set field to value: a 400
// naming the field, or a success whose record (stored, as read back) does
// not hold value. It returns "" when it passes, else what went wrong.
func massVerdict(res stack.Response, field string, value any, stored map[string]any) string {
	switch {
	case res.Status == http.StatusBadRequest && strings.Contains(string(res.Body), field):
		return ""
	case res.Status >= 200 && res.Status < 300:
		if v, ok := stored[field]; ok && reflect.DeepEqual(v, value) {
			return fmt.Sprintf("the record took the client's %s %v", field, value)
		}
		return ""
	}
	return fmt.Sprintf("%d, want a 400 naming %s or the value ignored: %.300s", res.Status, field, res.Body)
}

// testSweepMassAssignment sets every server-owned field (serverOwned and
// the operation's readOnly properties) through every update (PATCH of a
// record of A, one field at a time, read back with GET) and every create
// of the isolation probes (answered 201; the created record is read from
// the answer): a 400 naming the field, or the value ignored.
func testSweepMassAssignment(t *testing.T, w *world, ops []sweepOp, a *harvest) {
	gw, token := w.st.GatewayURL, w.a.tenant.Admin.Token
	readOnlyOf := map[string][]string{} // template → readOnly properties of any of its operations
	for _, o := range ops {
		readOnlyOf[o.path] = append(readOnlyOf[o.path], o.readOnly...)
	}
	fieldsOf := func(path string) []string {
		f := slices.Concat(serverOwned, readOnlyOf[path])
		slices.Sort(f)
		return slices.Compact(f)
	}
	get := func(url string) (map[string]any, string) {
		res := stack.Do(t, stack.Request{Method: http.MethodGet, URL: url, Token: token})
		var rec map[string]any
		if res.Status != http.StatusOK || json.Unmarshal(res.Body, &rec) != nil {
			return nil, ""
		}
		return rec, res.Header.Get("ETag")
	}
	updates, creates, checks := 0, 0, 0
	var skipped []string
	for _, o := range ops {
		if o.method != http.MethodPatch || len(o.params) == 0 {
			continue
		}
		// The first record the caller may change: a built-in saved view or
		// dashboard is no one's to change. A record without a GET of its
		// own is read from the answers to its PATCHes.
		var url, etag string
		var rec map[string]any
		for _, path := range a.candidates(t, o, 5) {
			r, tag := get(gw + path)
			res := stack.Do(t, stack.Request{Method: http.MethodPatch, URL: gw + path, Token: token, Body: map[string]any{}, Header: map[string]string{"If-Match": tag}})
			if res.Status == http.StatusForbidden || res.Status == http.StatusConflict {
				continue
			}
			if r == nil {
				_ = json.Unmarshal(res.Body, &r)
			}
			if r != nil {
				url = gw + path
				rec, etag = r, res.Header.Get("ETag")
				if fresh, tag := get(url); fresh != nil {
					rec, etag = fresh, tag
				}
				break
			}
		}
		if rec == nil {
			skipped = append(skipped, o.String())
			continue
		}
		updates++
		for _, field := range fieldsOf(o.path) {
			current, present := rec[field]
			if !present {
				continue
			}
			value := bogus(field, current, w.b.tenant.ID)
			checks++
			r := stack.Request{Method: http.MethodPatch, URL: url, Token: token, Body: map[string]any{field: value}}
			if etag != "" {
				r.Header = map[string]string{"If-Match": etag}
			}
			res := sweepDo(t, r)
			stored, tag := get(url)
			if stored == nil { // no GET: the PATCH's answer is the record
				_ = json.Unmarshal(res.Body, &stored)
				tag = res.Header.Get("ETag")
			}
			if tag != "" {
				etag = tag
			}
			if msg := massVerdict(res, field, value, stored); msg != "" {
				t.Errorf("%s setting %s: %s", o, field, msg)
			}
		}
	}
	for _, p := range probes(w.a.fixture) {
		_, ok := p.body.(map[string]any)
		if p.method != http.MethodPost || p.want != http.StatusCreated || !ok {
			continue
		}
		creates++
		for _, field := range fieldsOf(p.path) {
			fresh := probeNamed(w.a.fixture, p.name) // new names, as each create must be
			b := maps.Clone(fresh.body.(map[string]any))
			value := bogus(field, nil, w.b.tenant.ID)
			b[field] = value
			checks++
			res := sweepDo(t, stack.Request{Method: http.MethodPost, URL: gw + fresh.path, Token: token, Body: b, Header: fresh.header})
			var created map[string]any
			_ = json.Unmarshal(res.Body, &created)
			if msg := massVerdict(res, field, value, created); msg != "" {
				t.Errorf("POST %s (%s) setting %s: %s", p.path, p.name, field, msg)
			}
		}
	}
	slices.Sort(skipped)
	t.Logf("mass assignment: %d updates and %d creates, %d field checks; %d updates with no record of A to read: %s",
		updates, creates, checks, len(skipped), strings.Join(skipped, ", "))
}

// probeNamed returns the probe called name, made afresh (new names).
func probeNamed(f fixture, name string) probe {
	for _, p := range probes(f) {
		if p.name == name {
			return p
		}
	}
	panic("no probe " + name)
}
