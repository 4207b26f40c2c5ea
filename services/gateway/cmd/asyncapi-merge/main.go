// Command asyncapi-merge writes the event catalogue the gateway embeds and
// serves at GET /asyncapi.json, merged from every services/*/api/asyncapi.yaml
// (the gateway's own included) and the payload schemas they reference:
//
//	go run ./services/gateway/cmd/asyncapi-merge [-root DIR] [-o FILE]
//
// main is wiring only: catalogue.MergeFS does the work, exactly as the
// test that checks the committed file does.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rapport-crm/rapport/services/gateway/catalogue"
)

func main() {
	root := flag.String("root", ".", "the repository's root")
	out := flag.String("o", "", "where to write the document (default ROOT/services/gateway/catalogue/asyncapi.json; - is standard output)")
	flag.Parse()
	if err := run(*root, *out); err != nil {
		fmt.Fprintln(os.Stderr, "asyncapi-merge:", err)
		os.Exit(1)
	}
}

func run(root, out string) error {
	doc, err := catalogue.MergeFS(os.DirFS(root))
	if err != nil {
		return err
	}
	switch out {
	case "-":
		_, err = os.Stdout.Write(doc)
		return err
	case "":
		out = filepath.Join(root, "services", "gateway", "catalogue", "asyncapi.json")
	}
	return os.WriteFile(out, doc, 0o644)
}
