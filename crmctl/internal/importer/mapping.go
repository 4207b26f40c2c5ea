package importer

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// ParseMapping reads --mapping: "" for none (the service's suggestion),
// "@file.json" for a JSON object of header names to fields, or
// "Header=field,Other Header=field" (a field left empty leaves the column
// out).
func ParseMapping(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	m := map[string]string{}
	if file, ok := strings.CutPrefix(s, "@"); ok {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%w: %s: %s", ErrBadMapping, file, err.Error())
		}
		return m, nil
	}
	for pair := range strings.SplitSeq(s, ",") {
		name, field, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("%w: %q", ErrBadMapping, pair)
		}
		m[strings.TrimSpace(name)] = strings.TrimSpace(field)
	}
	return m, nil
}
