// Command kustomize-base writes deploy/k8s/base, the kustomize base of
// Rapport, from the chart charts/rapport and the values deploy/k8s/values.yaml:
//
//	go run ./deploy/chart/cmd/kustomize-base
//
// run anywhere inside the repository. A test in deploy/chart/kustomize
// fails while the committed base differs from what it writes.
package main

import (
	"fmt"
	"os"

	"github.com/rapport-crm/rapport/deploy/chart/kustomize"
	"github.com/rapport-crm/rapport/libs/proc"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kustomize-base:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := proc.RepoRoot()
	if err != nil {
		return fmt.Errorf("%w: run it inside the Rapport repository", err)
	}
	files, err := kustomize.Base(root)
	if err != nil {
		return err
	}
	if err := kustomize.Write(root, files); err != nil {
		return err
	}
	fmt.Printf("kustomize-base: wrote %d files to %s\n", len(files), kustomize.BaseDir)
	return nil
}
