package charttest

import (
	"testing"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
)

// Lint runs Helm's lint action (`helm lint --strict`) over charts/rapport
// with valuesFiles merged in order, and fails the test for every message
// above INFO: lint must be clean of errors and warnings.
func Lint(t testing.TB, valuesFiles ...string) {
	t.Helper()
	dir := ChartDir(t)
	_, vals, err := Load(dir, valuesFiles...)
	if err != nil {
		t.Fatalf("charttest: %v", err)
	}
	lint := action.NewLint()
	lint.Strict = true
	lint.Namespace = Namespace
	res := lint.Run([]string{dir}, vals)
	for _, m := range res.Messages {
		if m.Severity > support.InfoSev {
			t.Errorf("helm lint %v: %s", valuesFiles, m.Error())
		}
	}
	for _, err := range res.Errors {
		if !isMessage(res.Messages, err) {
			t.Errorf("helm lint %v: %v", valuesFiles, err)
		}
	}
	if res.TotalChartsLinted != 1 {
		t.Errorf("helm lint %v: linted %d charts, want 1", valuesFiles, res.TotalChartsLinted)
	}
}

// isMessage says whether err is the error of one of msgs (already reported).
func isMessage(msgs []support.Message, err error) bool {
	for _, m := range msgs {
		if m.Err == err {
			return true
		}
	}
	return false
}
