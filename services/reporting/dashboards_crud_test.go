package reporting_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/reporting/dashboards"
)

// A dashboard is saved, read, changed by merge patch with If-Match (428
// without, 412 with a stale ETag), copied and deleted, each change
// published; lists page by keyset with the built-in dashboards first.
func TestDashboardsCRUD(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	r := e.want(e.do(u, http.MethodPost, "/v1/dashboards", map[string]any{"name": " Pipeline review ", "description": "weekly",
		"widgets": []any{widgetOf("Funnel", "funnel", "funnel", "range", "last_90_days", "interval", "month", "groupBy", "source"),
			widgetOf("", "activity", "bar", "groupBy", "type")}}), http.StatusCreated)
	d := contracttest.Decode[dashboards.Dashboard](r)
	if d.Name != "Pipeline review" || d.OwnerID != u.id || d.BuiltIn || d.Version != 1 || len(d.Widgets) != 2 ||
		d.Widgets[0].ID == "" || d.Widgets[1].Title != "activity" || r.Header.Get("Location") != "/v1/dashboards/"+d.ID {
		t.Fatalf("created %+v (Location %q)", d, r.Header.Get("Location"))
	}
	etag := r.Header.Get("ETag")
	got := e.want(e.do(u, http.MethodGet, "/v1/dashboards/"+d.ID, nil), http.StatusOK)
	if got.Header.Get("ETag") != etag || contracttest.Decode[dashboards.Dashboard](got).Widgets[0].Params["groupBy"] != "source" {
		t.Errorf("read back %s (ETag %q, want %q)", got.Raw, got.Header.Get("ETag"), etag)
	}

	patch := map[string]any{"name": "Pipeline", "sharedRoles": []string{"sales"}}
	mp := []string{"Content-Type", "application/merge-patch+json"}
	e.want(e.do(u, http.MethodPatch, "/v1/dashboards/"+d.ID, patch, mp...), http.StatusPreconditionRequired)
	e.want(e.do(u, http.MethodPatch, "/v1/dashboards/"+d.ID, patch, append(mp, "If-Match", `"7"`)...), http.StatusPreconditionFailed)
	r = e.want(e.do(u, http.MethodPatch, "/v1/dashboards/"+d.ID, patch, append(mp, "If-Match", etag)...), http.StatusOK)
	up := contracttest.Decode[dashboards.Dashboard](r)
	if up.Name != "Pipeline" || up.Version != 2 || !slices.Equal(up.SharedRoles, []string{"sales"}) || len(up.Widgets) != 2 ||
		r.Header.Get("ETag") == etag {
		t.Errorf("patched %+v (ETag %q)", up, r.Header.Get("ETag"))
	}
	e.want(e.do(u, http.MethodPatch, "/v1/dashboards/"+d.ID, patch, append(mp, "If-Match", etag)...), http.StatusPreconditionFailed)

	cp := contracttest.Decode[dashboards.Dashboard](e.want(e.do(u, http.MethodPost, "/v1/dashboards/"+d.ID+"/copy", nil), http.StatusCreated))
	if cp.ID == d.ID || cp.Name != "Pipeline (copy)" || len(cp.SharedRoles) != 0 || len(cp.Widgets) != 2 || cp.Widgets[0].Report != "funnel" {
		t.Errorf("copy %+v", cp)
	}

	// Pages of 2: the three built-in dashboards, then the copy and the
	// original, newest first.
	var ids []string
	cursor := ""
	for range 5 {
		page := contracttest.Decode[dashboards.Page](e.want(e.do(u, http.MethodGet, "/v1/dashboards?limit=2&cursor="+cursor, nil), http.StatusOK))
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if want := []string{dashboards.SalesManager, dashboards.Marketer, dashboards.SupportManager, cp.ID, d.ID}; !slices.Equal(ids, want) {
		t.Errorf("listed %v, want %v", ids, want)
	}

	e.want(e.do(u, http.MethodDelete, "/v1/dashboards/"+d.ID, nil, "If-Match", etag), http.StatusPreconditionFailed)
	e.want(e.do(u, http.MethodDelete, "/v1/dashboards/"+d.ID, nil), http.StatusNoContent)
	e.want(e.do(u, http.MethodGet, "/v1/dashboards/"+d.ID, nil), http.StatusNotFound)
	e.want(e.do(u, http.MethodGet, "/v1/dashboards/not-a-dashboard", nil), http.StatusNotFound)
	e.validateOwnEvents("dashboard", "created", "updated", "deleted")
}

// Widgets are checked against the report catalogue: a 400 names each
// field at fault with the values it allows.
func TestDashboardsValidation(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	post := func(body map[string]any) reply { return e.do(u, http.MethodPost, "/v1/dashboards", body) }
	wantFields(t, post(map[string]any{"name": "x", "widgets": []any{widgetOf("", "sales", "bar")}}),
		[]string{"widgets/0/report"}, "funnel")
	wantFields(t, post(map[string]any{"name": "x", "widgets": []any{
		widgetOf("", "funnel", "bar", "groupBy", "stage"),
		widgetOf("", "activity", "pie", "interval", "fortnight", "colour", "red"),
		widgetOf("", "customer-value", "table", "interval", "month"),
		widgetOf("", "pipeline", "sparkline", "range", "yesterday")}}),
		[]string{"widgets/0/params/groupBy", "widgets/1/params/colour", "widgets/1/params/interval", "widgets/2/params/interval",
			"widgets/3/params/range", "widgets/3/chart"},
		"owner, team, source, campaign", "takes from, to", "day, week, month, quarter, year", "is not a parameter", "last_7_days", "funnel, bar")
	w := widgetOf("", "campaign-roi", "table", "model", "best_guess", "from", "March")
	w["layout"] = map[string]int{"x": 8, "y": 0, "w": 6, "h": 0}
	wantFields(t, post(map[string]any{"name": " ", "widgets": []any{w}, "sharedRoles": []string{"sales", "sales"}}),
		[]string{"name", "widgets/0/params/from", "widgets/0/params/model", "widgets/0/layout/w", "widgets/0/layout/h", "sharedRoles/1"},
		"1 to 200", "RFC 3339", "first_touch", "x + w", "1 to 24", "each once")
	wantFields(t, post(map[string]any{"name": "x", "widgets": []any{widgetOf("", "funnel", "bar", "filter", "{not json")}}),
		[]string{"widgets/0/params/filter"}, "filter")
	wantFields(t, post(map[string]any{"name": "x", "ownerId": "someone"}), []string{"ownerId"}, "read-only")
}

// A dashboard shared with a role is seen by the users holding it, and by
// a reporting:admin, but changed only by its owner or an admin (403 for
// the others who see it); a user without the role does not see it
// (404), nor does another tenant.
func TestDashboardsSharing(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	owner := newUser(tenant).as("reporting:read", "reporting:write")
	mate := newUser(tenant).as("reporting:read", "reporting:write")
	stranger := newUser(tenant).as("reporting:read", "reporting:write")
	admin := newUser(tenant)
	d := e.createDashboard(owner, map[string]any{"name": "Team pipeline", "sharedRoles": []string{"sales-rep", "sales-manager"},
		"widgets": []any{widgetOf("", "pipeline", "bar")}})
	private := e.createDashboard(owner, map[string]any{"name": "Mine"})
	path := "/v1/dashboards/" + d.ID
	mp := []string{"Content-Type", "application/merge-patch+json", "If-Match", `"1"`}

	e.want(e.doRoles(mate, []string{"support", "sales-rep"}, http.MethodGet, path, nil), http.StatusOK)
	e.want(e.doRoles(mate, []string{"sales-rep"}, http.MethodGet, "/v1/dashboards/"+private.ID, nil), http.StatusNotFound)
	e.want(e.doRoles(mate, []string{"sales-rep"}, http.MethodPatch, path, map[string]any{"name": "Mine now"}, mp...), http.StatusForbidden)
	e.want(e.doRoles(mate, []string{"sales-rep"}, http.MethodDelete, path, nil), http.StatusForbidden)
	e.want(e.doRoles(stranger, []string{"support"}, http.MethodGet, path, nil), http.StatusNotFound)
	e.want(e.doRoles(stranger, []string{"support"}, http.MethodPatch, path, map[string]any{"name": "x"}, mp...), http.StatusNotFound)
	e.want(e.doRoles(stranger, []string{"support"}, http.MethodPost, path+"/copy", nil), http.StatusNotFound)
	e.want(e.do(newUser(uuid.NewString()), http.MethodGet, path, nil), http.StatusNotFound)

	listed := func(u user, roles ...string) []string {
		page := contracttest.Decode[dashboards.Page](e.want(e.doRoles(u, roles, http.MethodGet, "/v1/dashboards", nil), http.StatusOK))
		var out []string
		for _, it := range page.Items {
			if !it.BuiltIn {
				out = append(out, it.Name)
			}
		}
		return out
	}
	if got := listed(mate, "sales-manager"); !slices.Equal(got, []string{"Team pipeline"}) {
		t.Errorf("the role's user lists %v", got)
	}
	if got := listed(stranger, "support"); len(got) != 0 {
		t.Errorf("a user without the role lists %v", got)
	}
	if got := listed(admin); !slices.Equal(got, []string{"Mine", "Team pipeline"}) {
		t.Errorf("the admin lists %v", got)
	}
	if got := listed(newUser(uuid.NewString())); len(got) != 0 {
		t.Errorf("another tenant lists %v", got)
	}
	copied := contracttest.Decode[dashboards.Dashboard](e.want(e.doRoles(mate, []string{"sales-rep"}, http.MethodPost, path+"/copy", nil),
		http.StatusCreated))
	if copied.OwnerID != mate.id {
		t.Errorf("the copy belongs to %q, want the copier", copied.OwnerID)
	}
	e.want(e.do(admin, http.MethodPatch, path, map[string]any{"sharedRoles": nil}, mp...), http.StatusOK)
	e.want(e.doRoles(mate, []string{"sales-rep"}, http.MethodGet, path, nil), http.StatusNotFound)
	e.want(e.do(owner, http.MethodGet, path, nil), http.StatusOK)
	e.want(e.do(owner.as("reporting:read"), http.MethodPost, "/v1/dashboards", map[string]any{"name": "x"}), http.StatusForbidden)
}

// The built-in dashboards come first in every list, the same for every
// tenant, read-only (409 to a change or a delete), and each copies into
// a saved dashboard, its widgets valid against the report catalogue.
func TestDashboardsBuiltIns(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString()).as("reporting:read", "reporting:write")
	page := contracttest.Decode[dashboards.Page](e.want(e.do(u, http.MethodGet, "/v1/dashboards", nil), http.StatusOK))
	if len(page.Items) != 3 {
		t.Fatalf("listed %d dashboards, want the 3 built-in ones", len(page.Items))
	}
	for i, want := range []string{dashboards.SalesManager, dashboards.Marketer, dashboards.SupportManager} {
		b := page.Items[i]
		if b.ID != want || !b.BuiltIn || b.OwnerID != "" || len(b.Widgets) < 3 {
			t.Errorf("built-in %d: %+v", i, b)
		}
		r := e.want(e.do(u, http.MethodGet, "/v1/dashboards/"+want, nil), http.StatusOK)
		e.want(e.do(u, http.MethodPatch, "/v1/dashboards/"+want, map[string]any{"name": "x"}, "Content-Type", "application/merge-patch+json",
			"If-Match", r.Header.Get("ETag")), http.StatusConflict)
		e.want(e.do(u, http.MethodDelete, "/v1/dashboards/"+want, nil), http.StatusConflict)
		cp := contracttest.Decode[dashboards.Dashboard](e.want(e.do(u, http.MethodPost, "/v1/dashboards/"+want+"/copy", nil), http.StatusCreated))
		if cp.BuiltIn || cp.OwnerID != u.id || !strings.HasSuffix(cp.Name, " (copy)") || len(cp.Widgets) != len(b.Widgets) {
			t.Errorf("copy of %s: %+v", want, cp)
		}
	}
	reports := map[string]bool{}
	charts := map[string]bool{}
	for _, b := range page.Items {
		for _, w := range b.Widgets {
			reports[w.Report], charts[w.Chart] = true, true
		}
	}
	for _, r := range []string{"funnel", "pipeline", "pipeline-stages", "forecast", "lead-sources", "campaign-roi", "lifecycle", "service", "activity"} {
		if !reports[r] {
			t.Errorf("no built-in dashboard shows %s", r)
		}
	}
	for _, c := range []string{"funnel", "bar", "line", "heatmap", "table", "number"} {
		if !charts[c] {
			t.Errorf("no built-in widget is a %s chart", c)
		}
	}
}
