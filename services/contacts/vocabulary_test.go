package contacts_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts"
	"github.com/rapport-crm/rapport/services/contacts/migrations"
	"github.com/rapport-crm/rapport/services/contacts/search"
)

// TestOneVocabulary checks that saved views' columns, filters, sorts and
// export columns take the same names, the resource's: every name of the
// vocabulary is a column, every filterable one filters, every sortable one
// sorts, every export column is a name, and the old names are refused.
func TestOneVocabulary(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.want(e.do(u, "POST", "/v1/custom-fields", map[string]any{"entity": "contact", "key": "budget", "label": "Budget", "type": "decimal"}), http.StatusCreated)
	e.want(e.do(u, "POST", "/v1/custom-fields", map[string]any{"entity": "account", "key": "tier", "label": "Tier", "type": "text"}), http.StatusCreated)
	acme := e.create(u, "accounts", map[string]any{"name": "Acme", "annualRevenue": map[string]any{"amountMinor": 100, "currency": "EUR"},
		"billingAddress": map[string]any{"city": "Lyon", "country": "FR"}, "customFields": map[string]any{"tier": "gold"}})
	e.create(u, "contacts", map[string]any{"displayName": "Ada", "accountId": acme,
		"emails": []any{map[string]any{"address": "ada@acme.example"}}, "phones": []any{map[string]any{"number": "+44 20 7946 0018"}},
		"address": map[string]any{"city": "London"}, "consent": map[string]any{"email": map[string]any{"status": "granted"}},
		"customFields": map[string]any{"budget": "12.5"}})
	e.create(u, "contacts", map[string]any{"displayName": "Bob"})

	for _, tt := range []struct {
		entity, path, custom string
		found                []string // names of the view below
		view                 map[string]any
	}{
		{"contact", "/v1/contacts", "customFields.budget", []string{"Ada"}, map[string]any{
			"columns": []string{"displayName", "emails", "phones", "address.city", "customFields.budget"}, "sort": "-emails,customFields.budget",
			"filter": map[string]any{"and": []any{cond("emails", "eq", "ada@acme.example"), cond("consent.email.status", "eq", "granted"),
				cond("customFields.budget", "gte", "12.50"), cond("address.city", "eq", "London")}}}},
		{"account", "/v1/accounts", "customFields.tier", []string{"Acme"}, map[string]any{
			"columns": []string{"name", "annualRevenue", "billingAddress.country", "customFields.tier"}, "sort": "-name",
			"filter": map[string]any{"and": []any{cond("annualRevenue.currency", "eq", "EUR"), cond("billingAddress.city", "eq", "Lyon"),
				cond("customFields.tier", "eq", "gold")}}}},
	} {
		vocabulary := search.Vocabulary(tt.entity)
		all := append(slices.Clone(vocabulary.All), tt.custom)

		// A view takes every name as a column, and the view's own names
		// filter and sort the list.
		e.want(e.do(u, "POST", "/v1/saved-views", map[string]any{"entity": tt.entity, "name": "All", "columns": all}), http.StatusCreated)
		tt.view["entity"], tt.view["name"] = tt.entity, "Mine"
		id := e.created(u, "/v1/saved-views", tt.view)
		if got := names(e.list(u, tt.path, "view", id)); !slices.Equal(got, tt.found) {
			t.Errorf("%s view %v found %v, want %v", tt.entity, tt.view, got, tt.found)
		}

		// Every filterable name filters, every sortable one sorts.
		for _, name := range append(slices.Clone(vocabulary.Filterable), tt.custom) {
			e.list(u, tt.path, "filter", filterJSON(t, map[string]any{"field": name, "op": "isEmpty", "value": false}))
		}
		for _, name := range append(slices.Clone(vocabulary.Sortable), tt.custom) {
			e.list(u, tt.path, "sort", "-"+name)
		}
		for _, name := range vocabulary.All {
			if !slices.Contains(vocabulary.Filterable, name) {
				e.want(e.do(u, "GET", tt.path+"?filter="+filterJSON(t, map[string]any{"field": name, "op": "isEmpty"}), nil), http.StatusBadRequest)
			}
		}

		// The export's columns are names of the vocabulary, in its order.
		header, _ := e.exportCSV(u, tt.path+"/export")
		if want := append(slices.Clone(vocabulary.Exported), tt.custom); !slices.Equal(header, want) {
			t.Errorf("%s export columns %v, want %v", tt.entity, header, want)
		}
		for _, col := range header {
			if !slices.Contains(all, col) {
				t.Errorf("%s export column %s is not in the vocabulary", tt.entity, col)
			}
		}
	}

	// The names filters and sorts had before the vocabulary are unknown.
	for _, tt := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"entity": "contact", "name": "x", "columns": []string{"emails", "email"}}, "columns/1"},
		{map[string]any{"entity": "contact", "name": "x", "columns": []string{"custom.budget"}}, "columns/0"},
		{map[string]any{"entity": "contact", "name": "x", "columns": []string{"consentEmail"}}, "columns/0"},
		{map[string]any{"entity": "contact", "name": "x", "sort": "email"}, "sort"},
		{map[string]any{"entity": "contact", "name": "x", "filter": cond("custom.budget", "eq", 1)}, "filter/field"},
		{map[string]any{"entity": "account", "name": "x", "filter": cond("currency", "eq", "EUR")}, "filter/field"},
		{map[string]any{"entity": "account", "name": "x", "columns": []string{"emails"}}, "columns/0"},
	} {
		r := e.want(e.do(u, "POST", "/v1/saved-views", tt.body), http.StatusBadRequest)
		if r.field(tt.field) == "" {
			t.Errorf("%v: errors do not name %s: %s", tt.body, tt.field, r.Raw)
		}
	}
}

// TestOpenAPIListsTheVocabulary checks that api/openapi.yaml lists each
// entity's vocabulary as the service has it: ContactField and AccountField
// enumerate the names, x-filterable, x-sortable and x-exported the names of
// each use, and the exports' descriptions give their columns.
func TestOpenAPIListsTheVocabulary(t *testing.T) {
	doc, err := contacts.OpenAPI(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ entity, schema, export string }{
		{"contact", "ContactField", "/v1/contacts/export"},
		{"account", "AccountField", "/v1/accounts/export"},
	} {
		vocabulary := search.Vocabulary(tt.entity)
		s := doc.Components.Schemas[tt.schema].Value
		enum := stringsOf(t, tt.schema+" enum", s.AnyOf[0].Value.Enum)
		if !slices.Equal(enum, vocabulary.All) {
			t.Errorf("%s enumerates %v, the service %v", tt.schema, enum, vocabulary.All)
		}
		for ext, want := range map[string][]string{"x-filterable": vocabulary.Filterable, "x-sortable": vocabulary.Sortable, "x-exported": vocabulary.Exported} {
			got := stringsOf(t, tt.schema+" "+ext, s.Extensions[ext])
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: %v, the service %v", tt.schema, ext, got, want)
			}
		}
		if d := doc.Paths.Value(tt.export).Get.Description; !strings.Contains(d, strings.Join(vocabulary.Exported, ", ")+", then customFields.<key>") {
			t.Errorf("%s does not list the export's columns: %s", tt.export, d)
		}
	}
}

// TestVocabularyMigration checks that migration 0014 renames the fields of
// the saved views stored before it to the vocabulary's names.
func TestVocabularyMigration(t *testing.T) {
	ctx := context.Background()
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	all := migrations.Source()
	before := fstest.MapFS{}
	files, err := fs.Glob(all.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f < "0014" {
			data, err := fs.ReadFile(all.FS, f)
			if err != nil {
				t.Fatal(err)
			}
			before[f] = &fstest.MapFile{Data: data}
		}
	}
	migrate := func(src pg.Source) {
		t.Helper()
		if err := pg.Migrate(ctx, admin.DB, quiet, db.AppRole, outbox.Migrations(), events.InboxMigrations(), src); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	migrate(pg.Source{Name: all.Name, FS: before})

	tenant := uuid.NewString()
	insert := func(entity string, columns []string, sort, filter string) string {
		t.Helper()
		id := uuid.NewString()
		if _, err := admin.Exec(`INSERT INTO saved_views (tenant_id, id, entity, name, filter, columns, sort, visibility, owner_id, created_at, updated_at, version)
			VALUES ($1, $2, $3, 'old', $4, $5, $6, 'shared', 'u', now(), now(), 1)`, tenant, id, entity, filter, pq.StringArray(columns), sort); err != nil {
			t.Fatal(err)
		}
		return id
	}
	contact := insert("contact", []string{"displayName", "email", "phone", "custom.budget", "accountName"}, "-email, custom.budget,lastName",
		`{"and": [{"field": "email", "op": "startsWith", "value": "email"}, {"not": {"or": [{"field": "custom.tier", "op": "eq", "value": "custom.x"},
			{"field": "phone", "op": "isEmpty"}]}}, {"field": "currency", "op": "eq", "value": "EUR"}]}`)
	account := insert("account", []string{"name", "currency", "email"}, "name", `{"field": "currency", "op": "in", "value": ["EUR", "currency"]}`)
	migrate(all)

	for _, tt := range []struct {
		id, sort, filter string
		columns          []string
	}{
		{contact, "-emails,customFields.budget,lastName",
			`{"and": [{"field": "emails", "op": "startsWith", "value": "email"}, {"not": {"or": [{"field": "customFields.tier", "op": "eq", "value": "custom.x"},
				{"field": "phones", "op": "isEmpty"}]}}, {"field": "currency", "op": "eq", "value": "EUR"}]}`,
			[]string{"displayName", "emails", "phones", "customFields.budget", "accountName"}},
		{account, "name", `{"field": "annualRevenue.currency", "op": "in", "value": ["EUR", "currency"]}`,
			[]string{"name", "annualRevenue.currency", "email"}},
	} {
		var columns pq.StringArray
		var sort string
		var filter []byte
		if err := admin.QueryRow("SELECT columns, sort, filter FROM saved_views WHERE id = $1", tt.id).Scan(&columns, &sort, &filter); err != nil {
			t.Fatal(err)
		}
		var got, want any
		if err := json.Unmarshal(filter, &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tt.filter), &want); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(columns, tt.columns) || sort != tt.sort || !jsonEqual(got, want) {
			t.Errorf("view migrated to columns %v, sort %q, filter %s; want %v, %q, %s", columns, sort, filter, tt.columns, tt.sort, tt.filter)
		}
	}
}

// jsonEqual reports whether two decoded JSON values are equal.
func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
