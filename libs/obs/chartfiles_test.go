package obs_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"text/template"

	"github.com/oasdiff/yaml"
	"github.com/prometheus/common/model"
)

// The chart's observability files and their runbooks, from libs/obs.
const (
	dashboardsDir = "../../charts/rapport/files/dashboards"
	alertsDir     = "../../charts/rapport/files/alerts"
	operationsDoc = "../../docs/operations.md"
	runbookBase   = "https://github.com/rapport-crm/rapport/blob/main/docs/operations.md#"
)

// dashboard holds what the test reads of a Grafana dashboard.
type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name  string          `json:"name"`
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	Targets    []struct {
		Expr       string      `json:"expr"`
		Datasource *datasource `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// ruleFile is a PrometheusRule spec's groups, read strictly.
type ruleFile struct {
	Groups []struct {
		Name     string `json:"name"`
		Interval string `json:"interval,omitempty"`
		Rules    []struct {
			Record      string            `json:"record,omitempty"`
			Alert       string            `json:"alert,omitempty"`
			Expr        string            `json:"expr"`
			For         string            `json:"for,omitempty"`
			Labels      map[string]string `json:"labels,omitempty"`
			Annotations map[string]string `json:"annotations,omitempty"`
		} `json:"rules"`
	} `json:"groups"`
}

// labelValues is Grafana's label_values(query, label) variable query.
var labelValues = regexp.MustCompile(`^label_values\((.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$`)

// TestDashboardsAndAlertsQueryKnownMetrics parses every dashboard and rule
// file the chart ships and checks that each metric they query is one a
// Rapport program registers (or a known external one, or a rule's recorded
// series), so a renamed metric fails here; and that the dashboards use the
// ${datasource} variable and the alerts carry a severity, a summary, a
// description and a runbook that docs/operations.md has.
func TestDashboardsAndAlertsQueryKnownMetrics(t *testing.T) {
	known := registeredMetrics(t)
	rules := readRules(t)
	for _, f := range rules {
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					known[r.Record] = true
				}
			}
		}
	}
	check := func(where, expr string) {
		t.Helper()
		unknown, err := unknownMetrics(expr, known)
		if err != nil {
			t.Errorf("%s: %q does not parse: %v", where, expr, err)
		} else if len(unknown) > 0 {
			t.Errorf("%s: %q queries %q, which no Rapport program registers (libs/obs) nor is known from elsewhere", where, expr, unknown)
		}
	}

	paths, err := filepath.Glob(filepath.Join(dashboardsDir, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no dashboards in %s: %v", dashboardsDir, err)
	}
	uids := map[string]string{}
	for _, path := range paths {
		name := filepath.Base(path)
		d := readDashboard(t, path)
		if d.UID == "" || uids[d.UID] != "" {
			t.Errorf("%s: uid %q is empty or also %s's", name, d.UID, uids[d.UID])
		}
		uids[d.UID] = name
		if d.SchemaVersion < 39 {
			t.Errorf("%s: schemaVersion %d, want 39 or later", name, d.SchemaVersion)
		}
		vars := map[string]string{}
		for _, v := range d.Templating.List {
			vars[v.Name] = v.Type
			if v.Type != "query" {
				continue
			}
			var q struct {
				Query string `json:"query"`
			}
			if err := json.Unmarshal(v.Query, &q); err != nil {
				t.Errorf("%s: variable %s: query: %v", name, v.Name, err)
			}
			if m := labelValues.FindStringSubmatch(q.Query); m != nil {
				check(name+": variable "+v.Name, m[1])
			} else {
				t.Errorf("%s: variable %s: query %q is not label_values(<selector>, <label>)", name, v.Name, q.Query)
			}
		}
		if vars["datasource"] != "datasource" || vars["namespace"] != "query" || vars["service"] != "query" {
			t.Errorf("%s: variables %v, want datasource (a data source), namespace and service (queries)", name, vars)
		}
		ids := map[int]bool{}
		var walk func([]panel)
		walk = func(ps []panel) {
			for _, p := range ps {
				where := name + ": panel " + p.Title
				if ids[p.ID] {
					t.Errorf("%s: id %d repeated", where, p.ID)
				}
				ids[p.ID] = true
				walk(p.Panels)
				if p.Type == "row" {
					continue
				}
				if p.Datasource == nil || p.Datasource.UID != "${datasource}" || len(p.Targets) == 0 {
					t.Errorf("%s: data source %+v with %d queries, want ${datasource}", where, p.Datasource, len(p.Targets))
				}
				for _, tg := range p.Targets {
					if tg.Datasource == nil || tg.Datasource.UID != "${datasource}" {
						t.Errorf("%s: a query's data source is %+v, want ${datasource}", where, tg.Datasource)
					}
					check(where, tg.Expr)
				}
			}
		}
		walk(d.Panels)
	}

	anchors := runbookAnchors(t)
	alerts := 0
	for name, f := range rules {
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				where := name + ": " + g.Name + ": " + r.Alert + r.Record
				if (r.Alert == "") == (r.Record == "") {
					t.Errorf("%s: a rule is an alert or a record, not both or neither", where)
				}
				check(where, r.Expr)
				if r.For != "" {
					if _, err := model.ParseDuration(r.For); err != nil {
						t.Errorf("%s: for: %v", where, err)
					}
				}
				if r.Alert == "" {
					continue
				}
				alerts++
				if s := r.Labels["severity"]; s != "critical" && s != "warning" {
					t.Errorf("%s: severity %q, want critical or warning", where, s)
				}
				for _, a := range []string{"summary", "description"} {
					if strings.TrimSpace(r.Annotations[a]) == "" {
						t.Errorf("%s: no %s", where, a)
					}
				}
				for a, text := range r.Annotations {
					if err := parseAlertTemplate(text); err != nil {
						t.Errorf("%s: annotation %s: %v", where, a, err)
					}
				}
				anchor, ok := strings.CutPrefix(r.Annotations["runbook_url"], runbookBase)
				if !ok || !anchors[anchor] {
					t.Errorf("%s: runbook_url %q is not a section of docs/operations.md", where, r.Annotations["runbook_url"])
				}
			}
		}
	}
	if alerts == 0 {
		t.Errorf("no alerts in %s", alertsDir)
	}
}

func readDashboard(t *testing.T, path string) dashboard {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// readRules reads every rule file, failing on a field a PrometheusRule's
// groups do not have.
func readRules(t *testing.T) map[string]ruleFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(alertsDir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no rule files in %s: %v", alertsDir, err)
	}
	files := map[string]ruleFile{}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		j, err := yaml.YAMLToJSON(b)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		dec := json.NewDecoder(bytes.NewReader(j))
		dec.DisallowUnknownFields()
		var f ruleFile
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		files[filepath.Base(path)] = f
	}
	return files
}

// runbookAnchors returns the GitHub anchors of docs/operations.md's
// headings: lower case, punctuation dropped, spaces as hyphens.
func runbookAnchors(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(operationsDoc)
	if err != nil {
		t.Fatal(err)
	}
	drop := regexp.MustCompile(`[^a-z0-9 _-]`)
	anchors := map[string]bool{}
	for line := range strings.Lines(string(b)) {
		if title, ok := strings.CutPrefix(line, "#"); ok {
			title = strings.TrimSpace(strings.TrimLeft(title, "#"))
			anchors[strings.ReplaceAll(drop.ReplaceAllString(strings.ToLower(title), ""), " ", "-")] = true
		}
	}
	return anchors
}

// alertTemplateFuncs are the functions Prometheus gives alert templates
// (https://prometheus.io/docs/prometheus/latest/configuration/template_reference/),
// stubbed: the test parses templates, it does not run them.
var alertTemplateFuncs = func() template.FuncMap {
	fm := template.FuncMap{}
	for _, name := range []string{"query", "first", "label", "value", "strvalue", "sortByLabel", "humanize",
		"humanize1024", "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "toTime", "toDuration",
		"now", "pathPrefix", "externalURL", "parseDuration", "match", "reReplaceAll", "title", "toUpper", "toLower",
		"stripPort", "stripDomain", "safeHtml", "args", "tableLink", "graphLink"} {
		fm[name] = func(...any) any { return nil }
	}
	return fm
}()

// parseAlertTemplate parses an alert's annotation as Prometheus does, with
// $labels, $externalLabels and $value defined.
func parseAlertTemplate(text string) error {
	_, err := template.New("annotation").Funcs(alertTemplateFuncs).
		Parse("{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$value := .Value}}" + text)
	return err
}
