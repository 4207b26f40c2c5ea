package chart

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// TestLint: `helm lint --strict` is clean (no error, no warning) with each
// of the chart's ci values files; every ci/*-values.yaml is one of
// ciValues, so each is linted, rendered and dry-run applied.
func TestLint(t *testing.T) {
	found, err := filepath.Glob(filepath.Join(charttest.ChartDir(t), "ci", "*-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		if name := "ci/" + filepath.Base(f); !slices.Contains(ciValues, name) {
			t.Errorf("%s is not in ciValues (main_test.go): add it so the tests render it", name)
		}
	}
	for _, name := range ciValues {
		t.Run(name, func(t *testing.T) {
			charttest.Lint(t, charttest.ValuesFile(t, name))
		})
	}
}
