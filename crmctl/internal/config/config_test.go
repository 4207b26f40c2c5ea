package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCrmctlConfigPermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rapport", "crmctl.json")
	f, err := Load(path)
	if err != nil || len(f.Profiles) != 0 {
		t.Fatalf("Load(missing) = %v, %v", f, err)
	}
	f.Put(Profile{Gateway: "http://gw/", Tenant: "acme", AccessToken: "a", RefreshToken: "r"})
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s: mode %04o, want %04o", p, info.Mode().Perm(), want)
		}
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, ErrInsecure) {
		t.Fatalf("Load(group-readable) = %v, want ErrInsecure", err)
	}
	if err := os.Chmod(path, 0o604); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, ErrInsecure) {
		t.Fatalf("Load(world-readable) = %v, want ErrInsecure", err)
	}
}

func TestCrmctlConfigProfiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crmctl.json")
	f, _ := Load(path)
	f.Put(Profile{Gateway: "http://one", Tenant: "acme", AccessToken: "1"})
	f.Put(Profile{Gateway: "http://two", Tenant: "acme", AccessToken: "2"})
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := g.Lookup("", ""); !ok || p.AccessToken != "2" {
		t.Errorf("current = %+v, %v; want the last login", p, ok)
	}
	if p, ok := g.Lookup("http://one/", "acme"); !ok || p.AccessToken != "1" {
		t.Errorf("Lookup(one) = %+v, %v", p, ok)
	}
	if _, ok := g.Lookup("http://one", "other"); ok {
		t.Error("Lookup found a tenant never logged in to")
	}
	g.Remove("http://two", "acme")
	if _, ok := g.Lookup("", ""); ok {
		t.Error("the removed profile is still current")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files (a temporary file left behind?)", len(entries))
	}
}
