// Package dashboards holds saved dashboards (/v1/dashboards) — widgets,
// each a report with its parameters drawn as a chart, shared with roles —
// the built-in ones every tenant has, and report schedules
// (/v1/report-schedules) that mail a dashboard or a report as XLSX or CSV
// attachments through the SMTP relay, run as the schedule's owner.
package dashboards

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// Dashboard is a saved dashboard, or a built-in one (BuiltIn: read-only,
// the same for every tenant, its id its name).
type Dashboard struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Widgets     []Widget  `json:"widgets"`
	SharedRoles []string  `json:"sharedRoles"`
	OwnerID     string    `json:"ownerId"`
	BuiltIn     bool      `json:"builtIn"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	Version     int64     `json:"version"`
}

// Widget is a report drawn on a dashboard: the report's name, its query
// parameters (GET /v1/reports/{name}'s, as strings), a chart and its
// place on the grid.
type Widget struct {
	ID     string            `json:"id"`
	Title  string            `json:"title"`
	Report string            `json:"report"`
	Params map[string]string `json:"params"`
	Chart  string            `json:"chart"`
	Layout Layout            `json:"layout"`
}

// Layout is a widget's place on a grid of GridColumns columns: its top
// left cell (X, Y) and its width and height in cells.
type Layout struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// Charts are the charts a widget may be drawn as.
var Charts = []string{"funnel", "bar", "line", "area", "pie", "heatmap", "table", "number"}

// The bounds of a dashboard.
const (
	GridColumns    = 12
	maxRows        = 1000
	maxName        = 200
	maxDescription = 2000
	maxWidgets     = 50
	maxRoles       = 50
	maxRole        = 100
	maxWidgetID    = 64
)

// readOnly are the fields of a Dashboard the service sets.
var readOnly = []string{"id", "ownerId", "builtIn", "createdAt", "updatedAt", "version"}

// normalize validates d, trimming its names, giving widgets without an
// id one and an empty list for none: a name, widgets whose reports and
// parameters reports.Definitions() allows (checkParams), charts of
// Charts, layouts inside the grid, and role names.
func (d *Dashboard) normalize() error {
	v := errs.NewValidator()
	d.Name = strings.TrimSpace(d.Name)
	n := utf8.RuneCountInString(d.Name)
	v.Check(n >= 1 && n <= maxName, "name", fmt.Sprintf("must be 1 to %d characters", maxName))
	v.Check(utf8.RuneCountInString(d.Description) <= maxDescription, "description", fmt.Sprintf("at most %d characters", maxDescription))
	if d.Widgets == nil {
		d.Widgets = []Widget{}
	}
	v.Check(len(d.Widgets) <= maxWidgets, "widgets", fmt.Sprintf("at most %d widgets", maxWidgets))
	seen := map[string]bool{}
	for i := range d.Widgets {
		w := &d.Widgets[i]
		at := fmt.Sprintf("widgets/%d/", i)
		if w.ID == "" {
			w.ID = ids.New()
		}
		v.Check(len(w.ID) <= maxWidgetID && !seen[w.ID], at+"id", fmt.Sprintf("must be unique on the dashboard, at most %d characters", maxWidgetID))
		seen[w.ID] = true
		w.Title = strings.TrimSpace(w.Title)
		n := utf8.RuneCountInString(w.Title)
		v.Check(n <= maxName, at+"title", fmt.Sprintf("at most %d characters", maxName))
		if w.Title == "" {
			w.Title = w.Report
		}
		if w.Params == nil {
			w.Params = map[string]string{}
		}
		checkParams(v, at, w.Report, w.Params)
		v.Check(slices.Contains(Charts, w.Chart), at+"chart", "must be one of "+strings.Join(Charts, ", "))
		l := w.Layout
		v.Check(l.X >= 0 && l.X < GridColumns, at+"layout/x", fmt.Sprintf("must be 0 to %d", GridColumns-1))
		v.Check(l.W >= 1 && l.X+l.W <= GridColumns, at+"layout/w", fmt.Sprintf("must be at least 1, and x + w at most %d", GridColumns))
		v.Check(l.Y >= 0 && l.Y < maxRows, at+"layout/y", fmt.Sprintf("must be 0 to %d", maxRows-1))
		v.Check(l.H >= 1 && l.H <= 24, at+"layout/h", "must be 1 to 24")
	}
	if d.SharedRoles == nil {
		d.SharedRoles = []string{}
	}
	v.Check(len(d.SharedRoles) <= maxRoles, "sharedRoles", fmt.Sprintf("at most %d roles", maxRoles))
	for i, r := range d.SharedRoles {
		ok := r != "" && len(r) <= maxRole && !slices.Contains(d.SharedRoles[:i], r)
		v.Check(ok, fmt.Sprintf("sharedRoles/%d", i), fmt.Sprintf("must be a role's name, 1 to %d characters, each once", maxRole))
	}
	return v.Err()
}
