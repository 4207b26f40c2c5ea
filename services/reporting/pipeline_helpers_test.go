package reporting_test

import (
	"strconv"
	"testing"
	"time"
)

// The helpers of the pipeline, pipeline-stages, lead-sources and
// campaign-roi reports' tests besides those every report's tests share
// (helpers_reports_test.go).

// plDay is midnight UTC of 2026-m-d (m may pass 12 or go below 1).
func plDay(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }

// plDays is n days.
func plDays(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// plRow returns the row of rows whose group is group; the test fails
// without one.
func plRow(t *testing.T, rows []map[string]any, group string) map[string]any {
	t.Helper()
	for _, r := range rows {
		if r["group"] == group {
			return r
		}
	}
	t.Fatalf("no row of group %q in %v", group, rows)
	return nil
}

// plItoa writes n in decimal.
func plItoa(n int64) string { return strconv.FormatInt(n, 10) }
