// Command openapi-merge writes the document the gateway serves at
// GET /openapi.json, merged from files instead of from running services, so
// that `make lint` can lint it without a stack:
//
//	openapi-merge -o merged.json services/gateway/api/openapi.yaml contacts=services/contacts/api/openapi.yaml
//
// The first argument is the gateway's document, each further one a
// service's, as NAME=FILE. main is wiring only: specmerge.Merge does the
// work, exactly as the gateway does.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/rapport-crm/rapport/services/gateway/specmerge"
)

func main() {
	out := flag.String("o", "-", "where to write the merged JSON (- is standard output)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: openapi-merge [-o FILE] GATEWAY.yaml [SERVICE=FILE ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(*out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "openapi-merge:", err)
		os.Exit(1)
	}
}

func run(out string, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("no gateway document given")
	}
	gateway, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	services := map[string][]byte{}
	for _, a := range args[1:] {
		name, file, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return fmt.Errorf("%q: want SERVICE=FILE", a)
		}
		if services[name], err = os.ReadFile(file); err != nil {
			return err
		}
	}
	merged, err := specmerge.Merge(gateway, services)
	if err != nil {
		return err
	}
	if out == "-" {
		_, err = os.Stdout.Write(merged)
		return err
	}
	return os.WriteFile(out, merged, 0o644)
}
