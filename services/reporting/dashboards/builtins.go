package dashboards

import (
	"slices"
	"time"
)

// The ids of the built-in dashboards: their names.
const (
	SalesManager   = "sales-manager"
	Marketer       = "marketer"
	SupportManager = "support-manager"
)

// builtInSince is the time the built-in dashboards say they were made
// and changed (their version is 1).
var builtInSince = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// builtIns are the built-in dashboards, in the order lists show them
// (before the saved ones): every tenant has them, read-only, to use as
// they are or to copy.
var builtIns = []Dashboard{
	builtIn(SalesManager, "Sales manager", "The lead funnel, the pipeline by owner, where open deals sit by stage and the forecast against actuals.",
		widget("funnel", "Lead funnel", "funnel", "funnel", Layout{0, 0, 6, 4}, "range", "last_12_months", "interval", "quarter"),
		widget("pipeline", "Pipeline by owner", "pipeline", "bar", Layout{6, 0, 6, 4}, "range", "this_quarter", "interval", "month", "groupBy", "owner"),
		widget("stages", "Open deals by stage and age", "pipeline-stages", "heatmap", Layout{0, 4, 12, 5}, "range", "last_90_days"),
		widget("forecast", "Forecast vs actual", "forecast", "line", Layout{0, 9, 12, 4}, "range", "this_year", "interval", "month")),
	builtIn(Marketer, "Marketer", "Where leads come from and how they convert, what campaigns returned, and contacts by lifecycle stage.",
		widget("sources", "Lead sources", "lead-sources", "bar", Layout{0, 0, 6, 4}, "range", "last_90_days", "interval", "month", "groupBy", "source"),
		widget("roi", "Campaign ROI", "campaign-roi", "table", Layout{6, 0, 6, 4}, "range", "last_12_months", "model", "linear"),
		widget("lifecycle", "Contacts by lifecycle stage", "lifecycle", "area", Layout{0, 4, 12, 4}, "range", "last_12_months", "interval", "month")),
	builtIn(SupportManager, "Support manager", "Case volume and backlog, response and resolution times, SLA compliance, satisfaction, and the team's activity.",
		widget("volume", "Cases created and solved", "service", "line", Layout{0, 0, 6, 4}, "range", "last_90_days", "interval", "week"),
		widget("backlog", "Backlog by queue", "service", "bar", Layout{6, 0, 6, 4}, "range", "last_90_days", "interval", "week", "groupBy", "queue"),
		widget("times", "Response, resolution, SLA and satisfaction by channel", "service", "table", Layout{0, 4, 8, 4},
			"range", "last_30_days", "interval", "month", "groupBy", "channel"),
		widget("satisfaction", "This month", "service", "number", Layout{8, 4, 4, 4}, "range", "this_month", "interval", "month"),
		widget("activity", "Activity by owner", "activity", "bar", Layout{0, 8, 12, 4}, "range", "last_30_days", "interval", "week", "groupBy", "owner")),
}

// builtIn is a built-in dashboard.
func builtIn(id, name, description string, widgets ...Widget) Dashboard {
	return Dashboard{ID: id, Name: name, Description: description, Widgets: widgets, SharedRoles: []string{}, BuiltIn: true,
		CreatedAt: builtInSince, UpdatedAt: builtInSince, Version: 1}
}

// widget is a widget of a built-in dashboard; params are name, value
// pairs.
func widget(id, title, report, chart string, l Layout, params ...string) Widget {
	p := map[string]string{}
	for i := 0; i+1 < len(params); i += 2 {
		p[params[i]] = params[i+1]
	}
	return Widget{ID: id, Title: title, Report: report, Params: p, Chart: chart, Layout: l}
}

// builtInByID returns the built-in dashboard id.
func builtInByID(id string) (Dashboard, bool) {
	i := slices.IndexFunc(builtIns, func(d Dashboard) bool { return d.ID == id })
	if i < 0 {
		return Dashboard{}, false
	}
	return builtIns[i], true
}
