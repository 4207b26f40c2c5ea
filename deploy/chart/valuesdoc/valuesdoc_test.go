package valuesdoc

import (
	"strings"
	"testing"
)

const schema = `{"type":"object","additionalProperties":false,"definitions":{"n":{"type":"integer"}},
"properties":{
 "mode":{"type":"string"},
 "image":{"type":"object","properties":{"tag":{"type":"string"},"pullSecrets":{"type":"array"}}},
 "services":{"type":"object","additionalProperties":{"type":"object","properties":{"replicas":{"$ref":"#/definitions/n"},"resources":{"type":"object"}}}},
 "ratio":{"type":["string","number"]},
 "extra":{"oneOf":[{"type":"string"},{"type":"null"}]}}}`

const values = `# header of the file

# -- dev or production.
mode: dev
image:
  # -- Image tag;
  # empty: appVersion.
  tag: ""
  pullSecrets: []
# -- The services.
services:
  contacts:
    # -- Replicas | pods.
    replicas: 2
    # -- Resources.
    resources:
      requests:
        cpu: 100m
# -- A ratio.
ratio: 0.5
# a comment without the marker
extra: null
`

// TestValues: rows in file order with the schema's types, defaults as
// JSON, continuation lines joined, $ref and additionalProperties followed;
// a map whose keys have rows of their own has no default; keys without a
// description are named in the error.
func TestValues(t *testing.T) {
	rows, err := Values([]byte(values), []byte(schema))
	if err == nil {
		t.Fatal("want an error for the undocumented keys")
	}
	for _, key := range []string{"image.pullSecrets", "extra"} {
		if !strings.Contains(err.Error(), key+": no `# --` description") {
			t.Errorf("the error does not name %s: %v", key, err)
		}
	}
	if strings.Contains(err.Error(), "requests") {
		t.Errorf("resources.requests is covered by resources' description: %v", err)
	}
	want := []Value{
		{"mode", "string", `"dev"`, "dev or production."},
		{"image.tag", "string", `""`, "Image tag; empty: appVersion."},
		{"services", "object", "", "The services."},
		{"services.contacts.replicas", "integer", "2", "Replicas | pods."},
		{"services.contacts.resources", "object", `{"requests":{"cpu":"100m"}}`, "Resources."},
		{"ratio", "string or number", "0.5", "A ratio."},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v, want %+v", rows, want)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, rows[i], want[i])
		}
	}
	table := Table(rows)
	if !strings.Contains(table, "| `services.contacts.replicas` | integer | `2` | Replicas \\| pods. |\n") {
		t.Errorf("table:\n%s", table)
	}
}

// TestValuesNoType: a documented key the schema does not type is named.
func TestValuesNoType(t *testing.T) {
	_, err := Values([]byte("# -- Unknown.\nnope: 1\n"), []byte(`{"type":"object"}`))
	if err == nil || !strings.Contains(err.Error(), "nope: values.schema.json gives it no type") {
		t.Errorf("err = %v", err)
	}
}

// TestSplice replaces only what is between the markers.
func TestSplice(t *testing.T) {
	got, err := Splice("a\n"+BeginMarker+"\nold\n"+EndMarker+"\nb\n", "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "a\n" + BeginMarker + "\nnew\n" + EndMarker + "\nb\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := Splice("no markers", "x"); err == nil {
		t.Error("want an error without markers")
	}
}
