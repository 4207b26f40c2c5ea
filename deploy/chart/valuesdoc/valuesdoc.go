// Package valuesdoc makes the values table of a chart's README from its
// values.yaml, documented helm-docs style (a `# -- description` comment,
// possibly continued on the next `#` lines, right above a key), and the
// types of values.schema.json.
package valuesdoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Markers delimit the generated table in the README.
const (
	BeginMarker = "<!-- values:begin -->"
	EndMarker   = "<!-- values:end -->"
)

// Value is one documented key of values.yaml.
type Value struct {
	// Key is the dotted path, e.g. gateway.autoscaling.enabled.
	Key string
	// Type is the schema's type ("integer", "string or number", …).
	Type string
	// Default is the value in values.yaml as compact JSON; empty for a map
	// whose keys are documented on their own rows.
	Default string
	// Description is the `# --` comment, its lines joined.
	Description string
}

// Values reads the documented keys of valuesYAML in file order, typed from
// schemaJSON. The error lists every key that has no description (neither
// its own nor an enclosing map's) or no type in the schema, by name.
func Values(valuesYAML, schemaJSON []byte) ([]Value, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(valuesYAML, &doc); err != nil {
		return nil, fmt.Errorf("values.yaml: %w", err)
	}
	var schema map[string]any
	if err := json.Unmarshal(schemaJSON, &schema); err != nil {
		return nil, fmt.Errorf("values.schema.json: %w", err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("values.yaml: not a mapping")
	}
	w := &walker{lines: strings.Split(string(valuesYAML), "\n"), root: schema}
	w.mapping(doc.Content[0], "", schema, false)
	return w.out, errors.Join(w.errs...)
}

// walker collects the rows and problems of one values.yaml.
type walker struct {
	lines []string
	root  map[string]any
	out   []Value
	errs  []error
}

// mapping walks the keys of m (at path prefix, schema node s); covered says
// an enclosing key's description covers undocumented keys below it.
func (w *walker) mapping(m *yaml.Node, prefix string, s map[string]any, covered bool) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := k.Value
		if prefix != "" {
			key = prefix + "." + k.Value
		}
		sub := w.child(s, k.Value)
		desc, ok := w.description(k.Line)
		nested := v.Kind == yaml.MappingNode && len(v.Content) > 0
		if ok {
			row := Value{Key: key, Description: desc}
			row.Type = w.typeOf(sub)
			if row.Type == "" {
				w.errs = append(w.errs, fmt.Errorf("%s: values.schema.json gives it no type", key))
			}
			if !(nested && w.documentsBelow(v)) {
				row.Default = compactJSON(v)
			}
			w.out = append(w.out, row)
		} else if !covered && !nested {
			w.errs = append(w.errs, fmt.Errorf("%s: no `# --` description in values.yaml", key))
		}
		if nested {
			w.mapping(v, key, sub, covered || ok)
		}
	}
}

// documentsBelow says whether a key under m has its own description.
func (w *walker) documentsBelow(m *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if _, ok := w.description(m.Content[i].Line); ok {
			return true
		}
		if v := m.Content[i+1]; v.Kind == yaml.MappingNode && w.documentsBelow(v) {
			return true
		}
	}
	return false
}

// description reads the `# --` comment in the block of comment lines right
// above line (1-based), joining its continuation lines.
func (w *walker) description(line int) (string, bool) {
	start := line - 1 // index of the key's line
	for start > 0 && strings.HasPrefix(strings.TrimSpace(w.lines[start-1]), "#") {
		start--
	}
	var parts []string
	found := false
	for _, l := range w.lines[start : line-1] {
		text := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#"))
		if strings.HasPrefix(text, "--") {
			found = true
			parts = []string{strings.TrimSpace(strings.TrimPrefix(text, "--"))}
			continue
		}
		if found {
			parts = append(parts, text)
		}
	}
	return strings.Join(parts, " "), found
}

// child returns the schema of key name under s: its properties entry, else
// a matching patternProperties or additionalProperties schema.
func (w *walker) child(s map[string]any, name string) map[string]any {
	s = w.resolve(s)
	if s == nil {
		return nil
	}
	if props, ok := s["properties"].(map[string]any); ok {
		if p, ok := props[name].(map[string]any); ok {
			return w.resolve(p)
		}
	}
	if ap, ok := s["additionalProperties"].(map[string]any); ok {
		return w.resolve(ap)
	}
	return nil
}

// resolve follows a local $ref ("#/definitions/x").
func (w *walker) resolve(s map[string]any) map[string]any {
	for depth := 0; s != nil && depth < 16; depth++ {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		var next any = w.root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, _ := next.(map[string]any)
			next = m[part]
		}
		s, _ = next.(map[string]any)
	}
	return s
}

// typeOf renders a schema's type: "integer", "string or number", or the
// alternatives of a oneOf/anyOf.
func (w *walker) typeOf(s map[string]any) string {
	s = w.resolve(s)
	if s == nil {
		return ""
	}
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		var names []string
		for _, n := range t {
			names = append(names, fmt.Sprint(n))
		}
		return strings.Join(names, " or ")
	}
	for _, alt := range []string{"oneOf", "anyOf"} {
		list, ok := s[alt].([]any)
		if !ok {
			continue
		}
		seen := map[string]bool{}
		var names []string
		for _, a := range list {
			m, _ := a.(map[string]any)
			if t := w.typeOf(m); t != "" && !seen[t] {
				seen[t] = true
				names = append(names, t)
			}
		}
		return strings.Join(names, " or ")
	}
	return ""
}

// compactJSON renders a YAML value as one line of JSON.
func compactJSON(n *yaml.Node) string {
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return n.Value
	}
	return strings.TrimSpace(b.String())
}

// Table renders values as the README's Markdown table.
func Table(values []Value) string {
	var b strings.Builder
	b.WriteString("| Key | Type | Default | Description |\n| --- | --- | --- | --- |\n")
	for _, v := range values {
		def := ""
		if v.Default != "" {
			def = "`" + cell(v.Default) + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", v.Key, cell(v.Type), def, cell(v.Description))
	}
	return b.String()
}

// cell escapes a table cell's pipes.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// Splice returns readme with the text between BeginMarker and EndMarker
// replaced by table.
func Splice(readme, table string) (string, error) {
	begin := strings.Index(readme, BeginMarker)
	end := strings.Index(readme, EndMarker)
	if begin < 0 || end < begin {
		return "", fmt.Errorf("the README has no %s … %s section", BeginMarker, EndMarker)
	}
	head := readme[:begin+len(BeginMarker)]
	return head + "\n" + table + readme[end:], nil
}

// Render reads the chart in dir (values.yaml, values.schema.json,
// README.md) and returns its README with the values table made anew.
func Render(dir string) (string, error) {
	values, err := os.ReadFile(filepath.Join(dir, "values.yaml"))
	if err != nil {
		return "", err
	}
	schema, err := os.ReadFile(filepath.Join(dir, "values.schema.json"))
	if err != nil {
		return "", err
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		return "", err
	}
	rows, err := Values(values, schema)
	if err != nil {
		return "", err
	}
	return Splice(string(readme), Table(rows))
}
