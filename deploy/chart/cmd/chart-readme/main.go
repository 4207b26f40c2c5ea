// Command chart-readme writes the values table of a chart's README.md
// (between <!-- values:begin --> and <!-- values:end -->) from its
// values.yaml `# --` comments and values.schema.json's types:
//
//	go run ./deploy/chart/cmd/chart-readme [-chart charts/rapport]
//
// It fails, naming them, on keys without a description or a schema type.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rapport-crm/rapport/deploy/chart/valuesdoc"
)

func main() {
	chart := flag.String("chart", "charts/rapport", "the chart's directory")
	flag.Parse()
	if err := run(*chart); err != nil {
		fmt.Fprintf(os.Stderr, "chart-readme: %v\n", err)
		os.Exit(1)
	}
}

// run regenerates the table of dir/README.md.
func run(dir string) error {
	readme, err := valuesdoc.Render(dir)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "README.md")
	return os.WriteFile(path, []byte(readme), 0o644)
}
