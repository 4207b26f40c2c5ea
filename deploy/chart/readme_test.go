package chart

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
	"github.com/rapport-crm/rapport/deploy/chart/valuesdoc"
)

// TestReadmeValuesTable: every key of values.yaml has a `# --` description
// (its own or an enclosing map's) and a type in values.schema.json, and
// the README's values table is the one chart-readme generates from them.
func TestReadmeValuesTable(t *testing.T) {
	dir := charttest.ChartDir(t)
	want, err := valuesdoc.Render(dir)
	if err != nil {
		t.Fatalf("%v", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("charts/rapport/README.md's values table is stale: run `go run ./deploy/chart/cmd/chart-readme`")
	}
}
