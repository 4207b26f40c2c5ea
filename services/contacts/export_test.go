package contacts_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// The contract validator reads an NDJSON export as the string the contract
// declares it to be.
func init() {
	openapi3filter.RegisterBodyDecoder("application/x-ndjson",
		func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			b, err := io.ReadAll(body)
			return string(b), err
		})
}

// exportCSV exports path as u, wants a 200 CSV with a byte order mark, and
// returns its header and rows.
func (e *env) exportCSV(u user, path string) (header []string, rows [][]string) {
	e.t.Helper()
	r := e.want(e.do(u, "GET", path, nil), http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		e.t.Fatalf("Content-Type %q", ct)
	}
	body, ok := bytes.CutPrefix(r.Raw, []byte("\uFEFF"))
	if !ok {
		e.t.Fatalf("no byte order mark: %q", r.Raw[:min(len(r.Raw), 20)])
	}
	all, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		e.t.Fatalf("CSV: %v", err)
	}
	return all[0], all[1:]
}

// byColumn returns the rows as maps from column name to cell.
func byColumn(header []string, rows [][]string) []map[string]string {
	out := make([]map[string]string, len(rows))
	for i, row := range rows {
		out[i] = map[string]string{}
		for j, h := range header {
			out[i][h] = row[j]
		}
	}
	return out
}

func TestExportContacts(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	u := newUser(tenant)
	e.want(e.do(u, "POST", "/v1/custom-fields", map[string]any{"entity": "contact", "key": "budget", "label": "Budget", "type": "number"}), http.StatusCreated)
	ada := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelace", "jobTitle": "=HYPERLINK(\"x\")",
		"emails": []any{map[string]any{"address": "ada@example.com"}, map[string]any{"address": "ada@home.example"}},
		"phones": []any{map[string]any{"number": "+44 20 7946 0018"}}, "tags": []any{"vip", "speaker"},
		"lifecycleStage": "customer", "customFields": map[string]any{"budget": 1200},
		"consent": map[string]any{"email": map[string]any{"status": "granted"}}})
	other := newUser(tenant)
	other.scope = auth.ScopeOwn
	zhang := e.created(other, "/v1/contacts", map[string]any{"displayName": "张伟", "lifecycleStage": "lead"})

	header, rows := e.exportCSV(u, "/v1/contacts/export")
	if want := []string{"id", "displayName", "firstName", "lastName", "emails", "phones"}; !slices.Equal(header[:6], want) ||
		header[len(header)-1] != "customFields.budget" {
		t.Errorf("header %v", header)
	}
	got := map[string]map[string]string{}
	for _, r := range byColumn(header, rows) {
		got[r["id"]] = r
	}
	if len(rows) != 2 || got[ada] == nil || got[zhang] == nil {
		t.Fatalf("rows %v", rows)
	}
	a := got[ada]
	for col, want := range map[string]string{"displayName": "Ada Lovelace", "emails": "ada@example.com;ada@home.example",
		"phones": "'+442079460018", "jobTitle": "'=HYPERLINK(\"x\")", "tags": "vip;speaker", "lifecycleStage": "customer",
		"consent.email.status": "granted", "customFields.budget": "1200"} {
		if a[col] != want {
			t.Errorf("%s = %q, want %q", col, a[col], want)
		}
	}
	if got[zhang]["displayName"] != "张伟" {
		t.Errorf("Chinese name %q", got[zhang]["displayName"])
	}

	// The record scope applies: a user with scope "own" exports only theirs;
	// another tenant's user gets the header and nothing else.
	if _, rows := e.exportCSV(other, "/v1/contacts/export"); len(rows) != 1 || rows[0][0] != zhang {
		t.Errorf("own scope exports %v", rows)
	}
	if _, rows := e.exportCSV(newUser(uuid.NewString()), "/v1/contacts/export"); len(rows) != 0 {
		t.Errorf("another tenant exports %v", rows)
	}

	// Filters and search narrow it; NDJSON has one contact per line.
	filter := url.QueryEscape(`{"field": "lifecycleStage", "op": "eq", "value": "lead"}`)
	if _, rows := e.exportCSV(u, "/v1/contacts/export?filter="+filter); len(rows) != 1 || rows[0][0] != zhang {
		t.Errorf("filtered export %v", rows)
	}
	if _, rows := e.exportCSV(u, "/v1/contacts/export?q="+url.QueryEscape("张")); len(rows) != 1 || rows[0][0] != zhang {
		t.Errorf("searched export %v", rows)
	}
	r := e.want(e.do(u, "GET", "/v1/contacts/export?format=ndjson&sort=displayName", nil), http.StatusOK)
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(string(r.Raw)), "\n") {
		var c customer.Contact
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("NDJSON line %q: %v", line, err)
		}
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []string{ada, zhang}) || r.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Errorf("NDJSON ids %v, Content-Type %q", ids, r.Header.Get("Content-Type"))
	}

	// Bad input is a problem, never a partial file.
	for _, tt := range []struct{ path, field string }{
		{"/v1/contacts/export?format=xml", "format"},
		{"/v1/contacts/export?filter=" + url.QueryEscape(`{"field": "nope", "op": "eq", "value": 1}`), "filter"},
	} {
		r := e.want(e.do(u, "GET", tt.path, nil), http.StatusBadRequest)
		if !strings.Contains(string(r.Raw), tt.field) || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %s %s", tt.path, r.Header.Get("Content-Type"), r.Raw)
		}
	}
}

// TestExportPagesThroughEveryRecord exports more contacts than one page
// (export.go reads 500 at a time) and accounts, each exactly once, in order.
func TestExportPagesThroughEveryRecord(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	u := newUser(tenant)
	if _, err := e.admin.Exec(`INSERT INTO contacts (tenant_id, id, first_name, last_name, display_name, owner_id, created_at, updated_at, version)
		SELECT $1, gen_random_uuid(), 'First' || g, 'Last', 'First' || g || ' Last', $2, now() - g * interval '1 second', now(), 1
		FROM generate_series(1, 1234) g`, tenant, u.id); err != nil {
		t.Fatal(err)
	}
	header, rows := e.exportCSV(u, "/v1/contacts/export?sort=-createdAt")
	col := slices.Index(header, "displayName")
	if len(rows) != 1234 {
		t.Fatalf("%d rows, want 1234", len(rows))
	}
	seen := map[string]bool{}
	for i, row := range rows {
		if want := "First" + strconv.Itoa(i+1) + " Last"; row[col] != want {
			t.Fatalf("row %d is %q, want %q", i, row[col], want)
		}
		if seen[row[0]] {
			t.Fatalf("row %d repeats %s", i, row[0])
		}
		seen[row[0]] = true
	}
	acct := e.created(u, "/v1/accounts", map[string]any{"name": "Initech", "domain": "initech.example",
		"annualRevenue": map[string]any{"amountMinor": 123456, "currency": "EUR"}})
	header, rows = e.exportCSV(u, "/v1/accounts/export")
	if len(rows) != 1 || rows[0][0] != acct {
		t.Fatalf("accounts %v", rows)
	}
	got := byColumn(header, rows)[0]
	if got["annualRevenue.amountMinor"] != "123456" || got["annualRevenue.currency"] != "EUR" || got["domain"] != "initech.example" {
		t.Errorf("account row %v", got)
	}
}
