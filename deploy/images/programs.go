package images

import (
	"path/filepath"

	"github.com/rapport-crm/rapport/libs/registry"
)

// Program is one program of the platform that gets an image.
type Program struct {
	// Name is the program's name: its binary, its entrypoint (/<Name>) and
	// its repository (ghcr.io/rapport-crm/<Name>).
	Name string
	// Package is the main package's directory relative to the repository's
	// root, in the ./dir form go build takes.
	Package string
	// PGTools: the image also carries PGTools of this machine's newest
	// PostgreSQL client, in their Debian directory with the shared
	// libraries they load, and sets PG_BIN_DIR to that directory.
	PGTools bool
}

// Programs lists every program that gets an image: each built service of
// libs/registry (the gateway, the entry, among them) from its
// services/<name>/cmd/<name>, then the operator (with pg_dump and
// pg_restore, for its backups) and the crmctl command-line client. A service the registry marks built appears here by itself.
func Programs() []Program {
	var out []Program
	for _, s := range registry.Default().Built() {
		out = append(out, Program{Name: s.Name, Package: "./" + filepath.ToSlash(filepath.Join("services", s.Name, "cmd", s.Name))})
	}
	return append(out, Program{Name: "operator", Package: "./operator/cmd", PGTools: true}, Program{Name: "crmctl", Package: "./crmctl/cmd/crmctl"})
}

// Lookup returns the program called name from Programs.
func Lookup(name string) (Program, bool) {
	for _, p := range Programs() {
		if p.Name == name {
			return p, true
		}
	}
	return Program{}, false
}
