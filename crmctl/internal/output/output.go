// Package output prints what crmctl reads in the format --output names:
// an aligned table (text/tabwriter), JSON, YAML or CSV (encoding/csv).
package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"sigs.k8s.io/yaml"
)

// The output formats.
const (
	Table = "table"
	JSON  = "json"
	YAML  = "yaml"
	CSV   = "csv"
)

// Formats lists the output formats.
var Formats = []string{Table, JSON, YAML, CSV}

// Check returns an error when format is not one of Formats.
func Check(format string) error {
	if !slices.Contains(Formats, format) {
		return fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(Formats, ", "))
	}
	return nil
}

// Write prints v to w in format. v is anything encoding/json takes; for a
// table or CSV it is turned into rows: a JSON array is one row per element,
// an object with an "items" array one row per item, another object one row.
// columns chooses and orders the columns; nil means every member of the
// rows, "id" first and then in alphabetical order.
func Write(w io.Writer, format string, v any, columns []string) error {
	if err := Check(format); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	switch format {
	case JSON:
		var out bytes.Buffer
		if err := json.Indent(&out, b, "", "  "); err != nil {
			return err
		}
		out.WriteByte('\n')
		_, err = w.Write(out.Bytes())
		return err
	case YAML:
		y, err := yaml.JSONToYAML(b)
		if err != nil {
			return err
		}
		_, err = w.Write(y)
		return err
	}
	rows, err := toRows(b)
	if err != nil {
		return err
	}
	if columns == nil {
		columns = keys(rows)
	}
	if format == CSV {
		return writeCSV(w, rows, columns)
	}
	return writeTable(w, rows, columns)
}

// toRows decodes the JSON document b into the rows of a table.
func toRows(b []byte) ([]map[string]any, error) {
	var doc any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		return nil, err
	}
	if obj, ok := doc.(map[string]any); ok {
		if items, ok := obj["items"].([]any); ok {
			doc = items
		} else {
			return []map[string]any{obj}, nil
		}
	}
	list, ok := doc.([]any)
	if !ok {
		return []map[string]any{{"value": doc}}, nil
	}
	rows := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if obj, ok := e.(map[string]any); ok {
			rows = append(rows, obj)
		} else {
			rows = append(rows, map[string]any{"value": e})
		}
	}
	return rows, nil
}

// keys returns the members of rows, "id" first, then sorted.
func keys(rows []map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		for k := range r {
			if !seen[k] && k != "id" {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	for _, r := range rows {
		if _, ok := r["id"]; ok {
			return append([]string{"id"}, out...)
		}
	}
	return out
}

// cell renders one value of a row: strings and numbers as they are,
// null and missing as empty, arrays and objects as compact JSON.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return fmt.Sprint(x)
	}
	b, _ := json.Marshal(v) // decoded from JSON, so it encodes again
	return string(b)
}

// writeCSV writes a header line and one record per row.
func writeCSV(w io.Writer, rows []map[string]any, columns []string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(columns); err != nil {
		return err
	}
	rec := make([]string, len(columns))
	for _, r := range rows {
		for i, c := range columns {
			rec[i] = cell(r[c])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeTable writes upper-case headers and aligned columns; tabs and line
// breaks inside a value become spaces so that rows stay on one line.
func writeTable(w io.Writer, rows []map[string]any, columns []string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := make([]string, len(columns))
	for i, c := range columns {
		head[i] = strings.ToUpper(c)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	flat := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
	line := make([]string, len(columns))
	for _, r := range rows {
		for i, c := range columns {
			line[i] = flat.Replace(cell(r[c]))
		}
		fmt.Fprintln(tw, strings.Join(line, "\t"))
	}
	return tw.Flush()
}
