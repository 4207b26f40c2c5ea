package resources

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// bodyFlags are the flags that give create and update their body.
type bodyFlags struct {
	file string
	set  []string
}

// add registers -f and --set on cmd.
func (b *bodyFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&b.file, "file", "f", "", "the body: a JSON or YAML file (- for standard input)")
	cmd.Flags().StringArrayVar(&b.set, "set", nil, "set a field: key=value (a.b=value nests; a value that parses as JSON is taken as JSON, else as a string); repeatable")
	cmd.MarkFlagsOneRequired("file", "set")
}

// body returns the request body, a JSON object: the file's, with every
// --set applied on top.
func (b *bodyFlags) body(in io.Reader) ([]byte, error) {
	doc := map[string]any{}
	if b.file != "" {
		var data []byte
		var err error
		if b.file == "-" {
			data, err = io.ReadAll(in)
		} else {
			data, err = os.ReadFile(b.file)
		}
		if err != nil {
			return nil, err
		}
		j, err := yaml.YAMLToJSON(data) // JSON is YAML too
		if err != nil {
			return nil, session.Usagef("-f %s: %v", b.file, err)
		}
		if err := json.Unmarshal(j, &doc); err != nil || doc == nil {
			return nil, session.Usagef("-f %s: the body must be an object", b.file)
		}
	}
	for _, kv := range b.set {
		if err := set(doc, kv); err != nil {
			return nil, err
		}
	}
	return json.Marshal(doc)
}

// set applies one key=value to doc.
func set(doc map[string]any, kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || k == "" {
		return session.Usagef("--set %q: want key=value", kv)
	}
	var val any
	if json.Unmarshal([]byte(v), &val) != nil {
		val = v
	}
	path := strings.Split(k, ".")
	m := doc
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			if _, taken := m[p]; taken {
				return session.Usagef("--set %q: %s is not an object", kv, p)
			}
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[path[len(path)-1]] = val
	return nil
}

// quoteVersion is the strong entity tag of a record's version.
func quoteVersion(v any) string {
	return fmt.Sprintf("%q", fmt.Sprint(v))
}
