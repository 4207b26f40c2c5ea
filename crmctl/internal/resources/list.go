package resources

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// listFlags are list's own flags.
type listFlags struct {
	filter string
	limit  int
	all    bool
	sort   string
	fields []string
}

// page is one page of a list answer.
type page struct {
	Items      []map[string]any `json:"items"`
	NextCursor string           `json:"nextCursor"`
}

// newList is `crmctl <resource> list`.
func newList(r Resource) *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List " + r.Name + " (a filter, a sort, chosen fields, every page)",
		Example: "  crmctl " + r.Name + " list --limit 50\n" +
			"  crmctl " + r.Name + ` list --filter '{"field":"createdAt","op":"gte","value":"2026-01-01T00:00:00Z"}' --all -o csv` + "\n" +
			"  crmctl " + r.Name + " list --filter @filter.json --sort=-createdAt --fields id,createdAt -o json",
		Args: session.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return list(cmd, r, f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.filter, "filter", "", "a filter in Rapport's filter language, as JSON or @file")
	fs.IntVar(&f.limit, "limit", 0, "records per page (the server's default when 0)")
	fs.BoolVar(&f.all, "all", false, "follow the cursors and print every page")
	fs.StringVar(&f.sort, "sort", "", "sort order, e.g. -createdAt")
	fs.StringSliceVar(&f.fields, "fields", nil, "only these fields of each record (comma-separated)")
	return cmd
}

// list reads one page, or every page with --all, and prints the records.
func list(cmd *cobra.Command, r Resource, f listFlags) error {
	if f.limit < 0 {
		return session.Usagef("--limit must not be negative")
	}
	q := url.Values{} // filter, sort and fields: the same query parameters for every resource
	if f.filter != "" {
		filter, err := readFilter(f.filter)
		if err != nil {
			return err
		}
		q.Set("filter", filter)
	}
	if f.sort != "" {
		q.Set("sort", f.sort)
	}
	if len(f.fields) > 0 {
		q.Set("fields", strings.Join(f.fields, ","))
	}
	c, err := session.NewClient(cmd)
	if err != nil {
		return err
	}
	query := func(_ context.Context, req *http.Request) error {
		v := req.URL.Query()
		for k, vs := range q {
			v[k] = vs
		}
		req.URL.RawQuery = v.Encode()
		return nil
	}
	var limit *int
	if f.limit > 0 {
		limit = &f.limit
	}
	var cursor *string
	items := []map[string]any{}
	for {
		var p page
		res, err := callsOf[r.Name].list(cmd.Context(), c.API, limit, cursor, query)
		if _, err := session.Decode(res, err, &p); err != nil {
			return err
		}
		items = append(items, p.Items...)
		if !f.all || p.NextCursor == "" {
			break
		}
		cursor = &p.NextCursor
	}
	cols := r.Columns
	if len(f.fields) > 0 {
		cols = f.fields
	}
	return session.Print(cmd, items, cols)
}

// readFilter returns the filter of --filter (JSON, or @file) compacted.
func readFilter(v string) (string, error) {
	data := []byte(v)
	if name, ok := strings.CutPrefix(v, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			return "", err
		}
		data = b
	}
	var out bytes.Buffer
	if err := json.Compact(&out, data); err != nil {
		return "", session.Usagef("--filter is not JSON: %v", err)
	}
	return out.String(), nil
}
