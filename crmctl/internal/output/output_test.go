package output

import (
	"bytes"
	"strings"
	"testing"
)

// page is a list answer with a nested value and a missing member.
var page = map[string]any{"items": []any{
	map[string]any{"id": "1", "name": "Ada, Countess", "tags": []string{"a", "b"}, "version": 3},
	map[string]any{"id": "2", "name": "Grace\tHopper"},
}, "nextCursor": ""}

func write(t *testing.T, format string, v any, cols []string) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, format, v, cols); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return b.String()
}

func TestCrmctlOutputJSON(t *testing.T) {
	got := write(t, JSON, []any{map[string]any{"id": "1"}}, nil)
	if got != "[\n  {\n    \"id\": \"1\"\n  }\n]\n" {
		t.Fatalf("json = %q", got)
	}
}

func TestCrmctlOutputYAML(t *testing.T) {
	got := write(t, YAML, map[string]any{"id": "1", "tags": []string{"a"}}, nil)
	if got != "id: \"1\"\ntags:\n- a\n" {
		t.Fatalf("yaml = %q", got)
	}
}

func TestCrmctlOutputCSV(t *testing.T) {
	got := write(t, CSV, page, nil)
	want := "id,name,tags,version\n1,\"Ada, Countess\",\"[\"\"a\"\",\"\"b\"\"]\",3\n2,Grace\tHopper,,\n"
	if got != want {
		t.Fatalf("csv = %q, want %q", got, want)
	}
}

func TestCrmctlOutputTable(t *testing.T) {
	got := write(t, Table, page, []string{"id", "name", "version"})
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	want := []string{"ID  NAME           VERSION", "1   Ada, Countess  3", "2   Grace Hopper   "}
	if len(lines) != len(want) {
		t.Fatalf("table = %q", got)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i, lines[i], want[i])
		}
	}
}

func TestCrmctlOutputSingleRecordAndUnknownFormat(t *testing.T) {
	if got := write(t, CSV, map[string]any{"id": "9", "a": 1}, nil); got != "id,a\n9,1\n" {
		t.Fatalf("csv of one record = %q", got)
	}
	if err := Write(&bytes.Buffer{}, "xml", page, nil); err == nil {
		t.Fatal("format xml accepted")
	}
}
