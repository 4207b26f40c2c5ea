package reports

import (
	"slices"
	"testing"
)

// TestPipelineDefinitionsHold: the pipeline, pipeline-stages,
// lead-sources and campaign-roi reports are registered with a valid
// filter schema, a currency parameter and a drill-down, and every column
// but the group's is unique.
func TestPipelineDefinitionsHold(t *testing.T) {
	defs := Definitions()
	for _, name := range []string{"pipeline", "pipeline-stages", "lead-sources", "campaign-roi"} {
		d, ok := defs[name]
		if !ok {
			t.Errorf("%s is not registered", name)
			continue
		}
		if err := d.Filter.Validate(); err != nil {
			t.Errorf("%s's filter: %v", name, err)
		}
		if !HasAmounts(d) || d.Records == nil || d.Run == nil {
			t.Errorf("%s: amounts %v, drill-down %v", name, HasAmounts(d), d.Records != nil)
		}
		var names []string
		for _, c := range d.Columns {
			if slices.Contains(names, c.Name) {
				t.Errorf("%s: column %s twice", name, c.Name)
			}
			names = append(names, c.Name)
		}
		if !slices.Contains(names, "group") {
			t.Errorf("%s: no group column in %v", name, names)
		}
	}
}
