package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// reportsScene is a tenant with an analyst (reporting:*) and a little sales
// history made through the gateway: two leads, one converted into an
// opportunity that was then won, and an open opportunity in the first stage.
type reportsScene struct {
	scene
	analyst *stack.User
	oppID   string
	leadIDs []string
}

// funnelSums are the funnel report's measures summed over its rows, as
// the sales manager's funnel widget asks for it.
type funnelSums struct{ Leads, MQL, SQL, Opportunities, Won float64 }

// newReportsScene seeds the sales history as the tenant's administrator and
// waits until the reporting service's funnel counts it.
func newReportsScene(t *testing.T, s *stack.Stack) *reportsScene {
	c := &reportsScene{scene: scene{s: s, tn: s.CreateTenant(t, "console-reports")}}
	c.analyst = s.Invite(t, c.tn, "analyst@"+c.tn.Slug+".test", []string{"analyst"})
	var pl struct {
		ID     string `json:"id"`
		Stages []struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
		} `json:"stages"`
	}
	c.api(t, http.MethodPost, "/v1/pipelines", map[string]any{"name": "Direct", "stages": []map[string]any{
		{"name": "Qualify", "kind": "open", "probability": 20}, {"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"},
	}}, http.StatusCreated, &pl)
	won := ""
	for _, st := range pl.Stages {
		if st.Kind == "won" {
			won = st.ID
		}
	}
	converted := c.create(t, http.MethodPost, "/v1/leads", map[string]any{"firstName": "Ada", "lastName": "Lovelace", "company": "Analytical Engines",
		"email": "ada@" + c.tn.Slug + ".example", "source": "web"}, http.StatusCreated)
	other := c.create(t, http.MethodPost, "/v1/leads", map[string]any{"firstName": "Alan", "lastName": "Turing", "company": "Bletchley",
		"email": "alan@" + c.tn.Slug + ".example", "source": "web"}, http.StatusCreated)
	c.leadIDs = []string{converted, other}
	var conv struct {
		OpportunityID string `json:"opportunityId"`
	}
	c.api(t, http.MethodPost, "/v1/leads/"+converted+"/convert", map[string]any{"opportunity": map[string]any{"create": true, "name": "Engines deal",
		"pipelineId": pl.ID, "stageId": pl.Stages[0].ID, "amount": map[string]any{"minor": 1250000, "currency": "EUR"}}}, http.StatusOK, &conv)
	c.oppID = conv.OpportunityID
	c.create(t, http.MethodPost, "/v1/opportunities", map[string]any{"name": "Open deal", "pipelineId": pl.ID, "stageId": pl.Stages[0].ID,
		"amount": map[string]any{"minor": 500000, "currency": "EUR"}}, http.StatusCreated)
	res := stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/opportunities/" + c.oppID, Token: c.tn.Admin.Token}, http.StatusOK, nil)
	stack.Must(t, stack.Request{Method: http.MethodPatch, URL: s.GatewayURL + "/v1/opportunities/" + c.oppID, Token: c.tn.Admin.Token,
		Header: map[string]string{"If-Match": res.Header.Get("ETag"), "Content-Type": "application/merge-patch+json"},
		Body:   map[string]any{"stageId": won}}, http.StatusOK, nil)
	testkit.Eventually(t, 2*time.Minute, "the funnel counts the two leads and the won opportunity", func() (bool, string) {
		f := c.funnel(t)
		return f.Leads == 2 && f.Opportunities == 1 && f.Won == 1, fmt.Sprintf("%+v", f)
	})
	return c
}

// funnel reads the funnel as the sales manager's dashboard asks for it and
// sums its measures over the rows.
func (c *reportsScene) funnel(t *testing.T) funnelSums {
	t.Helper()
	var r struct{ Rows []map[string]any }
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: c.s.GatewayURL + "/v1/reports/funnel?range=last_12_months&interval=quarter", Token: c.analyst.Token}, http.StatusOK, &r)
	var f funnelSums
	for _, row := range r.Rows {
		n := func(k string) float64 { v, _ := row[k].(float64); return v }
		f.Leads, f.MQL, f.SQL, f.Opportunities, f.Won = f.Leads+n("leads"), f.MQL+n("mql"), f.SQL+n("sql"), f.Opportunities+n("opportunities"), f.Won+n("won")
	}
	return f
}

// drawnSeries is what a widget's chart holds: each series' name and values
// as ECharts keeps them (data-series on the chart's element).
func drawnSeries(t *testing.T, p *browser.Page, widget string) []struct {
	Name string
	Data []json.RawMessage
} {
	t.Helper()
	sel := fmt.Sprintf(`[data-widget=%q] [data-testid="report-chart"]`, widget)
	contactsWait(t, p, "the "+widget+" chart drawn", `document.querySelector('`+sel+`')?.dataset.series?.length > 2`)
	var raw string
	p.Eval(`document.querySelector('`+sel+`').dataset.series`, &raw)
	var out []struct {
		Name string
		Data []json.RawMessage
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("the %s chart's series %s: %v", widget, raw, err)
	}
	return out
}

// TestConsoleReports walks the reporting area in Chromium as an analyst
// against the real stack, after seeding sales through the gateway: the
// dashboards list shows the built-in ones first; the sales manager's
// dashboard draws the funnel with the figures the report API answers and
// says how fresh they are; a figure of the pipeline widget drills down to
// the seeded opportunity, linked to its page; a new dashboard with one
// widget is saved and listed; a widget exports as CSV.
func TestConsoleReports(t *testing.T) {
	s := stack.Start(t, bins)
	c := newReportsScene(t, s)
	p := signIn(t, s, c.tn, c.analyst, desktop)

	p.Go(s.GatewayURL + "/reports/dashboards")
	p.WaitTestID("page-dashboards")
	contactsWait(t, p, "the built-in dashboards first", `(ids => ids.slice(0, 3).join() === "sales-manager,marketer,support-manager")([...document.querySelectorAll('[data-testid="dashboard-item"]')].map(e => e.dataset.id))`)
	p.Axe("dashboards")
	p.Click(`[data-testid="dashboard-item"][data-id="sales-manager"] a`)
	p.WaitTestID("page-dashboard")
	drawnSeries(t, p, "funnel")
	p.Axe("the sales manager's dashboard")

	t.Run("the funnel is drawn with the report's figures and its freshness", func(t *testing.T) {
		want := c.funnel(t)
		series := drawnSeries(t, p, "funnel")
		if len(series) != 1 || len(series[0].Data) != 5 {
			t.Fatalf("the funnel's series %+v, want one of five steps", series)
		}
		var got []float64
		for _, d := range series[0].Data {
			var step struct{ Value float64 }
			if err := json.Unmarshal(d, &step); err != nil {
				t.Fatal(err)
			}
			got = append(got, step.Value)
		}
		if w := []float64{want.Leads, want.MQL, want.SQL, want.Opportunities, want.Won}; fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("the funnel draws %v, want %v (leads, MQLs, SQLs, opportunities, won)", got, w)
		}
		var asOf string
		p.Eval(`document.querySelector('[data-widget="funnel"] [data-testid="as-of"]').dataset.asOf`, &asOf)
		if _, err := time.Parse(time.RFC3339Nano, asOf); err != nil {
			t.Errorf("the funnel's asOf %q is no time: %v", asOf, err)
		}
		if !strings.Contains(p.Text(browser.TestID("freshness-sales")), ":") {
			t.Error("the freshness of sales is not shown")
		}
		if bars := drawnSeries(t, p, "pipeline"); len(bars) != 3 {
			t.Errorf("the pipeline's bars %+v, want created, won and lost", bars)
		}
		// The stages (of every pipeline) by age: the open deal is the one
		// square of 1, in the youngest age (column 0).
		heat := drawnSeries(t, p, "stages")
		var ones []string
		for _, d := range heat[0].Data {
			var xyv []float64
			if err := json.Unmarshal(d, &xyv); err != nil {
				t.Fatalf("a heatmap square %s: %v", d, err)
			}
			if xyv[2] != 0 {
				ones = append(ones, fmt.Sprint(xyv[0], xyv[2]))
			}
		}
		if fmt.Sprint(ones) != "[0 1]" {
			t.Errorf("the heatmap's squares with deals (age column, deals) are %v, want [0 1]", ones)
		}
	})

	t.Run("a figure drills down to the opportunity", func(t *testing.T) {
		p.Click(`[data-widget="pipeline"] [data-testid="widget-toggle-data"]`)
		p.Click(`[data-widget="pipeline"] [data-testid="cell-created"]`)
		rec := fmt.Sprintf(`.ant-drawer [data-testid="drill-record"][data-id=%q]`, c.oppID)
		p.Wait(rec)
		if got := p.Text(rec); !strings.Contains(got, "Engines deal") {
			t.Errorf("the drill-down lists %q, want the seeded opportunity", got)
		}
		var href string
		p.Eval(`document.querySelector('`+rec+` a').getAttribute("href")`, &href)
		if href != "/opportunities/"+c.oppID {
			t.Errorf("the record links to %q", href)
		}
		p.Click(`.ant-drawer-close`)
		p.WaitGone(rec)
	})

	t.Run("a funnel step clicked on the chart drills down to its leads", func(t *testing.T) {
		var box struct{ X, Y, W, H float64 }
		p.Eval(`(r => ({ x: r.left, y: r.top, w: r.width, h: r.height }))(document.querySelector('[data-widget="funnel"] [data-testid="report-chart"]').getBoundingClientRect())`, &box)
		// The funnel's five steps share the height between its 60 px
		// margins; the first, the leads, is the top one.
		x, y := box.X+box.W/2, box.Y+60+(box.H-120)/10
		contactsWait(t, p, "the funnel's first step uncovered (the closed drawer's mask gone)",
			fmt.Sprintf(`document.querySelector('[data-widget="funnel"] [data-testid="report-chart"]').contains(document.elementFromPoint(%f, %f))`, x, y))
		ctx, cancel := context.WithTimeout(p.Context(), browser.Timeout)
		defer cancel()
		if _, err := chromedp.Run(ctx, chromedp.MouseClickXY(x, y)); err != nil {
			t.Fatalf("click the funnel's first step: %v", err)
		}
		for _, id := range c.leadIDs {
			p.Wait(fmt.Sprintf(`.ant-drawer [data-testid="drill-record"][data-kind="lead"][data-id=%q] a[href="/leads/%s"]`, id, id))
		}
		p.Click(`.ant-drawer-close`)
		p.WaitGone(`.ant-drawer [data-testid="drill-record"]`)
	})

	t.Run("a widget exports as CSV", func(t *testing.T) {
		p.Eval(`(() => { const make = URL.createObjectURL; window.csv = null; URL.createObjectURL = b => { b.text().then(t => window.csv = { type: b.type, text: t }); return make(b); }; })()`, nil)
		p.Click(`[data-widget="funnel"] [data-testid="widget-export"]`)
		p.Click(browser.TestID("widget-export-csv"))
		contactsWait(t, p, "the funnel's CSV", `window.csv !== null`)
		var csv struct{ Type, Text string }
		p.Eval(`window.csv`, &csv)
		if !strings.HasPrefix(csv.Type, "text/csv") || !strings.Contains(csv.Text, "Leads") {
			t.Errorf("the export is %q: %q, want text/csv with the columns' labels", csv.Type, csv.Text)
		}
	})

	t.Run("a new dashboard with a widget is saved and listed", func(t *testing.T) {
		p.Go(s.GatewayURL + "/reports/dashboards/new")
		p.WaitTestID("page-dashboard-edit")
		p.Fill("#dashboard-name", "Weekly review")
		p.Click(browser.TestID("widget-add"))
		p.WaitTestID("widget-editor")
		p.Axe("the dashboard editor")
		p.Click(browser.TestID("dashboard-save"))
		p.WaitTestID("page-dashboard")
		p.WaitTestID("widget")
		p.Go(s.GatewayURL + "/reports/dashboards")
		p.WaitTestID("page-dashboards")
		contactsWait(t, p, "the new dashboard listed after the built-in ones", `(items => items.length === 4 && items[3].textContent.includes("Weekly review"))([...document.querySelectorAll('[data-testid="dashboard-item"]')])`)
	})

	t.Run("the explorer, the predictions and a schedule", func(t *testing.T) {
		p.Go(s.GatewayURL + "/reports/explorer")
		p.WaitTestID("page-explorer")
		if series := drawnSeries(t, p, "explorer"); len(series) != 5 {
			t.Errorf("the explorer's funnel bars %+v, want leads, MQLs, SQLs, opportunities and won", series)
		}
		p.Wait(`[data-testid="explorer-result"] [data-testid="report-row"]`)
		p.Axe("the report explorer")

		p.Go(s.GatewayURL + "/reports/predictions")
		p.WaitTestID("page-predictions")
		p.Wait(`[data-testid="win-row"], [data-testid="prediction-unavailable"]`)
		p.ClickText(`.ant-tabs-tab`, "Models")
		contactsWait(t, p, "the three models", `[...document.querySelectorAll('[data-testid="model-row"]')].map(r => r.dataset.kind).sort().join() === "churn,demand,win"`)
		p.WaitTestID("models-retrain")
		p.WaitTestID("rebuild")
		p.Axe("the predictions' models")

		p.Go(s.GatewayURL + "/reports/schedules")
		p.WaitTestID("page-schedules")
		p.Click(browser.TestID("schedule-new"))
		pick(p, "schedule_dashboardId", "Sales manager")
		p.Click(`.ant-select:has(#schedule_recipients)`)
		p.Fill("#schedule_recipients", "boss@"+c.tn.Slug+".example")
		press(t, p, "#schedule_recipients", kb.Enter)
		p.Click(".ant-modal-title") // closes the recipients' dropdown, which covers the dialog's buttons
		p.WaitGone(".ant-select-dropdown:not(.ant-select-dropdown-hidden)")
		p.Click(browser.TestID("schedule-save"))
		p.Wait(`[data-testid="schedule-row"]`)
		if got := p.Text(`[data-testid="schedule-row"]`); !strings.Contains(got, "boss@"+c.tn.Slug+".example") || !strings.Contains(got, "Monday") {
			t.Errorf("the schedule row reads %q, want its recipient and weekday", got)
		}
		p.Axe("report schedules")
	})
}
