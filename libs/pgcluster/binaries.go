package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// installRoot is where Debian and Ubuntu install each PostgreSQL major version
// (/usr/lib/postgresql/<major>/bin).
const installRoot = "/usr/lib/postgresql"

// ErrNoBinaries means no initdb/pg_ctl pair was found.
var ErrNoBinaries = errors.New("pgcluster: PostgreSQL server binaries (initdb, pg_ctl) not found in PATH or " + installRoot + "/*/bin")

// findBinDir returns the directory holding initdb and pg_ctl. An explicit dir
// wins; then a version-specific dir matching an existing cluster's PG_VERSION;
// then PATH; then the highest version under installRoot.
func findBinDir(explicit, wantMajor string) (string, error) {
	if explicit != "" {
		if !hasBinaries(explicit) {
			return "", fmt.Errorf("pgcluster: no initdb and pg_ctl in %s", explicit)
		}
		return explicit, nil
	}
	if wantMajor != "" {
		if dir := filepath.Join(installRoot, wantMajor, "bin"); hasBinaries(dir) {
			return dir, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && hasBinaries(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
		if dir := filepath.Dir(p); hasBinaries(dir) {
			return dir, nil
		}
	}
	versions, _ := filepath.Glob(filepath.Join(installRoot, "*", "bin"))
	sort.Slice(versions, func(i, j int) bool { return versionOf(versions[i]) > versionOf(versions[j]) })
	for _, dir := range versions {
		if hasBinaries(dir) {
			return dir, nil
		}
	}
	return "", ErrNoBinaries
}

// versionOf turns /usr/lib/postgresql/15/bin into 15 (9.6 into 9.6) for sorting.
func versionOf(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func hasBinaries(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// binaryMajor asks pg_ctl for its version and returns the major ("15").
func binaryMajor(binDir string) (string, error) {
	out, err := exec.Command(filepath.Join(binDir, "pg_ctl"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("pgcluster: pg_ctl --version: %w", err)
	}
	// "pg_ctl (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)"
	fields := strings.Fields(string(out))
	if len(fields) < 3 {
		return "", fmt.Errorf("pgcluster: unexpected pg_ctl --version output %q", out)
	}
	major, _, _ := strings.Cut(fields[2], ".")
	return major, nil
}
