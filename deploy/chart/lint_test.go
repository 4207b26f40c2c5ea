package chart

import (
	"testing"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// TestLint: `helm lint --strict` is clean (no error, no warning) with each
// of the chart's ci values files.
func TestLint(t *testing.T) {
	for _, name := range ciValues {
		t.Run(name, func(t *testing.T) {
			charttest.Lint(t, charttest.ValuesFile(t, name))
		})
	}
}
