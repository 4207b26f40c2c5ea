package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/tenantdata"
)

// TestTenantExportRoundTrip exports a tenant holding records of every
// service (the fixture: contacts with custom fields and tags, accounts,
// leads, opportunities with their stage history, quotes, cases with
// replies, marketing segments and forms, reports) and its users and roles,
// imports the archive into a new, empty tenant, and reads every record of
// both through the API: every GET route of the merged OpenAPI, for every
// fixture and user id, answers the same (ids equal, the tenant id aside).
// An import into the tenant, now not empty, is 409; a tampered archive
// is 400.
func TestTenantExportRoundTrip(t *testing.T) {
	st := stack.Start(t, bins)
	src := newSide(t, st, "A")
	archive := exportTenant(t, st, src.tenant.ID)
	m := readManifest(t, archive)
	services := map[string]int64{}
	for _, p := range m.Parts {
		for _, tb := range p.Tables {
			services[p.Service] += tb.Rows
		}
	}
	for _, svc := range []string{"contacts", "sales", "support", "marketing", "reporting", "gateway"} {
		if services[svc] == 0 {
			t.Errorf("the archive holds no rows of %s: %v", svc, services)
		}
	}
	t.Logf("archive: %d bytes, rows per service %v", len(archive), services)

	slug := "e2e-copy-" + letters(6)
	var created struct {
		Tenant struct {
			ID string `json:"id"`
		} `json:"tenant"`
	}
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/admin/v1/tenants", Token: st.PlatformToken,
		Body: map[string]any{"slug": slug, "name": "Copy", "admin": map[string]string{"email": "first@" + slug + ".test"}}},
		http.StatusCreated, &created)
	copyID := created.Tenant.ID

	tampered := tamper(t, archive, "contacts/contacts.jsonl")
	res := importTenant(t, st, copyID, tampered)
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "archive-checksum") {
		t.Fatalf("a tampered archive: %d %s, want 400 archive-checksum", res.Status, res.Body)
	}
	res = importTenant(t, st, copyID, archive)
	if res.Status != http.StatusOK {
		t.Fatalf("import: %d %s", res.Status, res.Body)
	}
	// A support mailbox's address is unique on the platform: the copy, on
	// the same platform as its original, goes without it.
	var loaded struct {
		Loaded []tenantdata.Part `json:"loaded"`
	}
	res.Decode(t, &loaded)
	// Not compared: the caller's own view (/v1/me: the tenant's name
	// differs) and, as the import says, the API keys (their prefixes are
	// unique on the platform, the original's stay its own).
	skip := []string{"/v1/me", "/v1/api-keys"}
	for _, p := range loaded.Loaded {
		for _, tb := range p.Tables {
			if tb.Left > 0 {
				t.Logf("left out: %d rows of %s/%s", tb.Left, p.Service, tb.Name)
				if tb.Name != "support_mailboxes" {
					t.Errorf("%d rows of %s/%s were left out", tb.Left, p.Service, tb.Name)
				}
				skip = append(skip, "mailboxes")
			}
		}
	}
	res = importTenant(t, st, copyID, archive)
	if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "tenant-not-empty") {
		t.Fatalf("an import into a tenant holding data: %d %s, want 409 tenant-not-empty", res.Status, res.Body)
	}

	// The users came along, passwords and all.
	token := st.Login(t, slug, src.tenant.Admin.Email, src.tenant.Admin.Password)
	ids := append(src.fixture.IDs(), src.userIDs...)
	compared := compareTenants(t, st.GatewayURL, src.tenant.Admin.Token, src.tenant.ID, token, copyID, ids, skip)
	t.Logf("compared %d answers of the original and the copy", compared)
	if compared < 50 {
		t.Fatalf("only %d answers compared", compared)
	}

	// The copy's read-only window: changes are refused with 503 and
	// Retry-After, reads are served, until it ends.
	readOnly := func(on bool) {
		stack.Must(t, stack.Request{Method: http.MethodPatch, URL: st.GatewayURL + "/admin/v1/tenants/" + copyID, Token: st.PlatformToken,
			Body: map[string]any{"readOnly": on}}, http.StatusOK, nil)
	}
	tag := stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/tags", Token: token, Body: map[string]any{"name": "win" + letters(6)}}
	readOnly(true)
	res = stack.Do(t, tag)
	if res.Status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !strings.Contains(string(res.Body), "/problems/tenant-read-only") {
		t.Fatalf("a change in the read-only window: %d (Retry-After %q) %s", res.Status, res.Header.Get("Retry-After"), res.Body)
	}
	// The public pages' changes wait too: a portal case or a form
	// submitted in the window would miss the copy.
	for _, public := range []string{"/portal/" + slug + "/api/v1/cases", "/m/" + slug + "/forms/" + uuid.NewString()} {
		res = stack.Do(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + public, Body: map[string]any{}})
		if res.Status != http.StatusServiceUnavailable || !strings.Contains(string(res.Body), "/problems/tenant-read-only") {
			t.Errorf("POST %s in the read-only window: %d %.300s, want 503 tenant-read-only", public, res.Status, res.Body)
		}
	}
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + "/v1/tags", Token: token}, http.StatusOK, nil)
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/tags", Token: src.tenant.Admin.Token,
		Body: map[string]any{"name": "other" + letters(6)}}, http.StatusCreated, nil) // another tenant's changes go on
	readOnly(false)
	stack.Must(t, tag, http.StatusCreated, nil)
}

// exportTenant answers tenant's archive.
func exportTenant(t *testing.T, st *stack.Stack, tenant string) []byte {
	t.Helper()
	res := platformCall(t, st, "/admin/v1/tenants/"+tenant+"/export", nil)
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/x-tar+gzip" {
		t.Fatalf("export: %d %s %.500s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	return res.Body
}

// importTenant sends archive to tenant's import.
func importTenant(t *testing.T, st *stack.Stack, tenant string, archive []byte) stack.Response {
	t.Helper()
	return platformCall(t, st, "/admin/v1/tenants/"+tenant+"/import", archive)
}

// platformCall POSTs body (an archive, or nothing) to path with the
// platform token, with more patience than stack.Do: an import or a move
// goes through every service.
func platformCall(t *testing.T, st *stack.Stack, path string, body []byte) stack.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, st.GatewayURL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+st.PlatformToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-tar+gzip")
	}
	res, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return stack.Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// readManifest returns the archive's manifest.json, its first entry.
func readManifest(t *testing.T, archive []byte) tenantdata.Manifest {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	h, err := tr.Next()
	if err != nil || h.Name != tenantdata.ManifestFile {
		t.Fatalf("the archive's first entry: %v %v", h, err)
	}
	var m tenantdata.Manifest
	if err := json.NewDecoder(tr).Decode(&m); err != nil {
		t.Fatal(err)
	}
	if m.Format != tenantdata.Format {
		t.Fatalf("manifest format %d", m.Format)
	}
	return m
}

// tamper changes one byte of entry name of archive, leaving the manifest
// as it was.
func tamper(t *testing.T, archive []byte, name string) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	changed := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == name && len(b) > 10 {
			b[len(b)/2] ^= 0x01
			changed = true
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if !changed {
		t.Fatalf("the archive has no entry %s to tamper with", name)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// compareTenants reads every GET route of the merged OpenAPI without a
// parameter, and with one for each of ids, as both tenants, and fails on
// every answer of the first (200) the second does not repeat, the tenant
// ids aside. It returns how many answers it compared.
func compareTenants(t *testing.T, gw, aToken, aID, bToken, bID string, ids, skip []string) int {
	t.Helper()
	n := 0
	for _, op := range sweepOps(t, gw) {
		if op.method != http.MethodGet || !strings.HasPrefix(op.path, "/v1/") || strings.HasPrefix(op.path, "/v1/audit") || len(op.params) > 1 ||
			slices.ContainsFunc(skip, func(s string) bool { return strings.Contains(op.path, s) }) {
			continue
		}
		urls := []string{gw + op.path}
		if len(op.params) == 1 {
			urls = urls[:0]
			for _, id := range ids {
				urls = append(urls, gw+op.concrete([]string{id}))
			}
		}
		for _, u := range urls {
			a := stack.Do(t, stack.Request{Method: http.MethodGet, URL: u, Token: aToken})
			if a.Status != http.StatusOK {
				continue
			}
			b := stack.Do(t, stack.Request{Method: http.MethodGet, URL: u, Token: bToken})
			n++
			if na, nb := normalise(a.Body, aID), normalise(b.Body, bID); b.Status != http.StatusOK || na != nb {
				t.Errorf("GET %s: the copy answers %d\n%.1500s\nthe original\n%.1500s", strings.TrimPrefix(u, gw), b.Status, nb, na)
			}
		}
	}
	return n
}

// normalise is body with tenant's id blanked, and without what is made at
// read time: list cursors (sealed afresh on each answer), a personal-data
// export's time, the built-in saved views (made per tenant on first read),
// and a user's last sign-in (the test signs in to the copy).
func normalise(body []byte, tenant string) string {
	s := strings.ReplaceAll(string(body), tenant, "TENANT")
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	if m, ok := v.(map[string]any); ok {
		if items, ok := m["items"].([]any); ok {
			m["items"] = slices.DeleteFunc(items, func(e any) bool { o, _ := e.(map[string]any); return o["builtin"] == true && o["ownerId"] == "system" })
		}
	}
	for _, k := range []string{"nextCursor", "exportedAt", "lastLoginAt"} {
		v = dropKeys(v, k)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// dropKeys removes key from every object of v.
func dropKeys(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, key)
		for k, e := range x {
			x[k] = dropKeys(e, key)
		}
	case []any:
		for i, e := range x {
			x[i] = dropKeys(e, key)
		}
	}
	return v
}
