package images

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/registry"
)

// repoRoot is the repository's root as seen from this package.
const repoRoot = "../.."

// TestProgramsCoverRegistryAndOperator: every built service of the
// registry (the gateway among them), the operator and crmctl get an image,
// each from a main package that exists.
func TestProgramsCoverRegistryAndOperator(t *testing.T) {
	var names, pkgs []string
	for _, p := range Programs() {
		names = append(names, p.Name)
		pkgs = append(pkgs, p.Package)
	}
	want := append(registry.Default().Built().Names(), "operator", "crmctl")
	if !slices.Equal(names, want) {
		t.Fatalf("programs %v, want the registry's built services, the operator and crmctl %v", names, want)
	}
	if !slices.Contains(names, registry.Gateway) {
		t.Fatalf("programs %v lack the gateway", names)
	}
	cmd := exec.Command("go", append([]string{"list", "-f", "{{.Name}}"}, pkgs...)...)
	cmd.Dir = repoRoot
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", pkgs, err, stderr.String())
	}
	if got := strings.Fields(string(out)); len(got) != len(pkgs) || slices.ContainsFunc(got, func(n string) bool { return n != "main" }) {
		t.Fatalf("packages %v are %v, want main each", pkgs, got)
	}
}

// TestLookup finds a program by name and refuses one that is not.
func TestLookup(t *testing.T) {
	if p, ok := Lookup("operator"); !ok || p.Package != "./operator/cmd" {
		t.Fatalf("Lookup(operator) = %+v, %v", p, ok)
	}
	if p, ok := Lookup("crmctl"); !ok || p.Package != "./crmctl/cmd/crmctl" {
		t.Fatalf("Lookup(crmctl) = %+v, %v", p, ok)
	}
	if _, ok := Lookup("nonesuch"); ok {
		t.Fatal("Lookup(nonesuch) found a program that does not exist")
	}
}
