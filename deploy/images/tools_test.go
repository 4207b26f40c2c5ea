package images

import (
	"bytes"
	"context"
	"debug/elf"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPGToolsLayer: the layer of the operator's PostgreSQL tools holds
// pg_dump and pg_restore of this machine's newest client, every library
// each ELF file in it needs (by name, in the loader's Debian directories)
// and the loader each names, so they run in an image with no other
// library; its packages include the client's and libc6.
func TestPGToolsLayer(t *testing.T) {
	dir, err := pgBinDir()
	if err != nil {
		t.Fatal(err)
	}
	tree, debs, err := toolsTree(context.Background(), dir, PGTools)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for name := range tree.data {
		names[path.Base(name)] = true
	}
	for _, tool := range PGTools {
		if _, ok := tree.data[strings.TrimPrefix(filepath.Join(dir, tool), "/")]; !ok {
			t.Errorf("the layer lacks %s/%s", dir, tool)
		}
	}
	for name, data := range tree.data {
		f, err := elf.NewFile(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: not ELF: %v", name, err)
			continue
		}
		needed, err := f.ImportedLibraries()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, lib := range needed {
			if !names[lib] {
				t.Errorf("%s needs %s, which the layer lacks", name, lib)
			}
		}
		for _, p := range f.Progs {
			if p.Type != elf.PT_INTERP {
				continue
			}
			interp := make([]byte, p.Filesz)
			if _, err := p.ReadAt(interp, 0); err != nil {
				t.Fatal(err)
			}
			loader := strings.TrimPrefix(strings.TrimRight(string(interp), "\x00"), "/")
			if _, ok := tree.data[loader]; !ok {
				t.Errorf("%s's loader /%s is not in the layer", name, loader)
			}
		}
		f.Close()
	}
	major := path.Base(path.Dir(dir))
	for _, want := range []string{"postgresql-client-" + major, "libc6", "libpq5"} {
		if !slices.ContainsFunc(debs, func(d debPackage) bool { return d.Name == want }) {
			t.Errorf("packages %v lack %s", debs, want)
		}
	}
}
