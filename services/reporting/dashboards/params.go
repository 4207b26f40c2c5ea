package dashboards

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/reporting/reports"
)

// checkParams checks, into v, that report is one of reports.Definitions()
// and params are query parameters it takes with values it allows, naming
// the fields at (a prefix: "widgets/0/", ""): at+"report" and
// at+"params/<name>", with the allowed values. What it cannot know
// without the data (a period's count of intervals) reports.Run checks
// when the report runs.
func checkParams(v *errs.Validator, at, report string, params map[string]string) {
	defs := reports.Definitions()
	d, ok := defs[report]
	if !ok {
		v.Check(false, at+"report", "must be one of "+strings.Join(slices.Sorted(maps.Keys(defs)), ", "))
		return
	}
	allowed := []string{reports.ParamFrom, reports.ParamTo, reports.ParamRange, reports.ParamGroupBy, reports.ParamFilter}
	if d.Periodic {
		allowed = append(allowed, reports.ParamInterval)
	}
	allowed = append(allowed, slices.Sorted(maps.Keys(d.Extra))...)
	for _, k := range slices.Sorted(maps.Keys(params)) {
		val, field := params[k], at+"params/"+k
		switch {
		case !slices.Contains(allowed, k):
			v.Check(false, field, "is not a parameter of "+report+"; it takes "+strings.Join(allowed, ", "))
		case k == reports.ParamFrom || k == reports.ParamTo:
			_, ok := reports.ParseTime(val)
			v.Check(ok, field, "must be an RFC 3339 date or date-time: 2026-03-01 or 2026-03-01T00:00:00Z")
		case k == reports.ParamRange:
			v.Check(slices.Contains(reports.Ranges, val), field, "must be one of "+strings.Join(reports.Ranges, ", "))
			v.Check(params[reports.ParamFrom] == "" && params[reports.ParamTo] == "", field, "takes no from or to beside it")
		case k == reports.ParamInterval:
			v.Check(slices.Contains(reports.Intervals, val), field, "must be one of "+strings.Join(reports.Intervals, ", "))
		case k == reports.ParamGroupBy:
			v.Check(val == "" || slices.Contains(d.GroupBys, val), field, "must be one of "+strings.Join(d.GroupBys, ", ")+" (or empty)")
		case k == reports.ParamFilter:
			checkFilter(v, field, val, d.Filter)
		default:
			if want := d.Extra[k]; want != nil {
				v.Check(slices.Contains(want, val), field, "must be one of "+strings.Join(want, ", "))
			}
		}
	}
}

// checkFilter checks that raw is a libs/filter expression over schema.
func checkFilter(v *errs.Validator, field, raw string, schema filter.Schema) {
	var n filter.Node
	if err := json.Unmarshal([]byte(raw), &n); err != nil {
		v.Check(false, field, "must be a filter expression (JSON): "+err.Error())
		return
	}
	if _, _, err := filter.Compile(&n, schema, 1); err != nil {
		reason := err.Error()
		if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
			reason = fmt.Sprintf("%s: %s", e.Fields[0].Field, e.Fields[0].Reason)
		}
		v.Check(false, field, reason)
	}
}
