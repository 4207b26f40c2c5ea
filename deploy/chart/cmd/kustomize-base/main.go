// Command kustomize-base writes deploy/k8s/base, the kustomize base of
// Rapport, from the chart charts/rapport and the values deploy/k8s/values.yaml:
//
//	go run ./deploy/chart/cmd/kustomize-base
//
// run anywhere inside the repository. A test in deploy/chart/kustomize
// fails while the committed base differs from what it writes.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rapport-crm/rapport/deploy/chart/kustomize"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kustomize-base:", err)
		os.Exit(1)
	}
}

func run() error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := repoRoot(wd)
	if err != nil {
		return err
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

// repoRoot is the nearest directory at or above dir holding go.work.
func repoRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.work at or above " + dir + ": run inside the Rapport repository")
		}
	}
}
