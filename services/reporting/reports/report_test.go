package reports

import (
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// TestReportsDefinitionsComplete checks every report's definition: what
// the framework, the catalogue and the exports read of it.
func TestReportsDefinitionsComplete(t *testing.T) {
	types := []string{TypePeriod, TypeString, TypeInteger, TypeDecimal, TypeMoney, TypePercent, TypeDuration}
	defs := Definitions()
	for _, name := range []string{"funnel", "forecast"} {
		if _, ok := defs[name]; !ok {
			t.Errorf("no report %s", name)
		}
	}
	for name, d := range defs {
		if d.Name != name || d.Run == nil || len(d.Contexts) == 0 || len(d.Columns) == 0 {
			t.Errorf("%s: name %q, run %v, contexts %v, %d columns", name, d.Name, d.Run != nil, d.Contexts, len(d.Columns))
		}
		for _, c := range d.Contexts {
			if !slices.Contains(rm.Contexts, c) {
				t.Errorf("%s: context %q", name, c)
			}
		}
		seen := map[string]bool{}
		for _, c := range d.Columns {
			if c.Name == "" || seen[c.Name] || c.Label == "" || c.LabelZh == "" || !slices.Contains(types, c.Type) {
				t.Errorf("%s: column %+v", name, c)
			}
			seen[c.Name] = true
		}
		if d.DefaultGroupBy != "" && !slices.Contains(d.GroupBys, d.DefaultGroupBy) {
			t.Errorf("%s: default groupBy %q is none of %v", name, d.DefaultGroupBy, d.GroupBys)
		}
		for _, i := range d.Intervals {
			if !slices.Contains(Intervals, i) {
				t.Errorf("%s: interval %q", name, i)
			}
		}
		if err := d.Filter.Validate(); err != nil {
			t.Errorf("%s: filter: %v", name, err)
		}
	}
}
