// Package config is crmctl's configuration file: the signed-in profiles,
// one per gateway URL and tenant, with their tokens. The file is written
// with mode 0600 in a directory of mode 0700, and a file that the group or
// others may read is refused (its tokens may have leaked).
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// EnvPath names the environment variable that overrides the file's path.
const EnvPath = "CRMCTL_CONFIG"

// ErrInsecure is returned when the file may be read by others than its owner.
var ErrInsecure = errors.New("the config file may be read by others")

// Profile is one sign-in: a gateway URL, a tenant and the tokens.
type Profile struct {
	Gateway      string    `json:"gateway"`
	Tenant       string    `json:"tenant"`
	Email        string    `json:"email,omitempty"`
	AccessToken  string    `json:"accessToken"`
	RefreshToken string    `json:"refreshToken,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
}

// Key is the profile's key in File.Profiles.
func (p Profile) Key() string { return Key(p.Gateway, p.Tenant) }

// Key returns the key of the profile of the gateway URL and tenant.
func Key(gateway, tenant string) string {
	return strings.TrimSuffix(gateway, "/") + " " + tenant
}

// File is the content of the configuration file.
type File struct {
	// Current is the key of the profile used when --gateway and --tenant
	// do not name one.
	Current  string             `json:"current,omitempty"`
	Profiles map[string]Profile `json:"profiles"`
}

// DefaultPath returns CRMCTL_CONFIG, or rapport/crmctl.json in the user's
// configuration directory.
func DefaultPath() (string, error) {
	if p := os.Getenv(EnvPath); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory: %w", err)
	}
	return filepath.Join(dir, "rapport", "crmctl.json"), nil
}

// Load reads the file at path; a missing file is an empty File.
func Load(path string) (*File, error) {
	f := &File{Profiles: map[string]Profile{}}
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; run chmod 600 %s", ErrInsecure, path, info.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.Profiles == nil {
		f.Profiles = map[string]Profile{}
	}
	return f, nil
}

// Save writes f to path through a temporary file renamed over it, so that
// the file is never half-written, with mode 0600 in a directory of mode 0700.
func (f *File) Save(path string) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return WriteFile(path, append(b, '\n'), 0o600)
}

// WriteFile writes data to path with mode perm through a temporary file in
// the same directory, renamed over path once complete.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Lookup returns the profile of gateway and tenant; empty values fall back
// to the current profile's.
func (f *File) Lookup(gateway, tenant string) (Profile, bool) {
	if gateway == "" || tenant == "" {
		cur, ok := f.Profiles[f.Current]
		if !ok {
			return Profile{}, false
		}
		if gateway == "" {
			gateway = cur.Gateway
		}
		if tenant == "" {
			tenant = cur.Tenant
		}
	}
	p, ok := f.Profiles[Key(gateway, tenant)]
	return p, ok
}

// Put stores p and makes it the current profile.
func (f *File) Put(p Profile) {
	p.Gateway = strings.TrimSuffix(p.Gateway, "/")
	f.Profiles[p.Key()] = p
	f.Current = p.Key()
}

// Remove deletes the profile of gateway and tenant.
func (f *File) Remove(gateway, tenant string) {
	k := Key(gateway, tenant)
	delete(f.Profiles, k)
	if f.Current == k {
		f.Current = ""
	}
}
