package importer

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"testing"
)

// TestCrmctlImportParseMapping reads --mapping as pairs and from a file,
// and refuses a pair without "=".
func TestCrmctlImportParseMapping(t *testing.T) {
	m, err := ParseMapping(" First Name = firstName ,E-mail=emails,Notes=")
	if want := map[string]string{"First Name": "firstName", "E-mail": "emails", "Notes": ""}; err != nil || !maps.Equal(m, want) {
		t.Fatalf("pairs: %v, %v; want %v", m, err, want)
	}
	file := filepath.Join(t.TempDir(), "mapping.json")
	if err := os.WriteFile(file, []byte(`{"Name, full":"displayName"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if m, err := ParseMapping("@" + file); err != nil || m["Name, full"] != "displayName" {
		t.Fatalf("@file: %v, %v", m, err)
	}
	if m, err := ParseMapping(""); m != nil || err != nil {
		t.Fatalf("none: %v, %v", m, err)
	}
	if _, err := ParseMapping("First Name"); !errors.Is(err, ErrBadMapping) {
		t.Fatalf("a pair without '=': %v", err)
	}
}

// TestCrmctlImportAccountColumns maps an accounts file's header: by name
// without a mapping (name needed), or by the mapping, naming a column or
// field that is not there.
func TestCrmctlImportAccountColumns(t *testing.T) {
	header := []string{"name", "Website", "billingAddress.city", "customFields.tier"}
	cols, err := accountColumns(header, nil)
	if err != nil || cols[0] != "name" || cols[1] != "" || cols[2] != "billingAddress.city" || cols[3] != "customFields.tier" {
		t.Fatalf("by name: %q, %v", cols, err)
	}
	if cols, err = accountColumns(header, map[string]string{"name": "name", "Website": "domain"}); err != nil || cols[1] != "domain" || cols[2] != "" {
		t.Fatalf("mapped: %q, %v", cols, err)
	}
	for _, m := range []map[string]string{nil, {"Company": "name"}, {"Website": "homepage"}} {
		h := header
		if m == nil {
			h = []string{"Company"}
		}
		if _, err := accountColumns(h, m); !errors.Is(err, ErrBadMapping) {
			t.Errorf("accountColumns(%q, %v) = %v, want ErrBadMapping", h, m, err)
		}
	}
	body := map[string]any{}
	setPath(body, "billingAddress.city", "Berlin")
	setPath(body, "tags", "a; b;;")
	if body["billingAddress"].(map[string]any)["city"] != "Berlin" || len(body["tags"].([]string)) != 2 {
		t.Fatalf("setPath: %v", body)
	}
}
