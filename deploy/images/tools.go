package images

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// PGTools are the PostgreSQL client programs the operator's backups and
// restores run (PG_BIN_DIR).
var PGTools = []string{"pg_dump", "pg_restore"}

// PGClientGlob matches the bin directories of the PostgreSQL clients Debian
// installs (package postgresql-client-<major>).
const PGClientGlob = "/usr/lib/postgresql/*/bin"

// pgBinDir returns the bin directory of the newest PostgreSQL client on
// this machine that holds every one of PGTools.
func pgBinDir() (string, error) {
	dirs, err := filepath.Glob(PGClientGlob)
	if err != nil {
		return "", err
	}
	major := func(dir string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
		return n
	}
	sort.Slice(dirs, func(i, j int) bool { return major(dirs[i]) > major(dirs[j]) })
	for _, dir := range dirs {
		complete := true
		for _, tool := range PGTools {
			if _, err := os.Stat(filepath.Join(dir, tool)); err != nil {
				complete = false
			}
		}
		if complete {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no PostgreSQL client with %s in %s (apt-get install postgresql-client)", strings.Join(PGTools, " and "), PGClientGlob)
}

// lddPath matches the library paths of ldd's lines: "name => /path (0x…)"
// and the loader's "/path (0x…)".
var lddPath = regexp.MustCompile(`(?m)^\s*(?:\S+ => )?(/\S+) \(0x[0-9a-f]+\)$`)

// toolsTree returns a layer holding the executables in dir named by tools
// at their paths on this machine, and every shared library ldd says they
// load (the loader among them) at the path ldd names, as a regular file;
// and the Debian packages those files came from.
func toolsTree(ctx context.Context, dir string, tools []string) (*layerTree, []debPackage, error) {
	l := newLayerTree()
	files := map[string]bool{}
	for _, tool := range tools {
		path := filepath.Join(dir, tool)
		files[path] = true
		cmd := exec.CommandContext(ctx, "ldd", path)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, nil, fmt.Errorf("ldd %s: %v %s", path, err, strings.TrimSpace(stderr.String()))
		}
		for _, m := range lddPath.FindAllStringSubmatch(string(out), -1) {
			files[m[1]] = true
		}
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	seen := map[string]bool{}
	var debs []debPackage
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		l.file(strings.TrimPrefix(p, "/"), 0o755, data)
		name, err := owningPackage(ctx, p)
		if err != nil {
			return nil, nil, err
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		d, err := debPackageOf(ctx, name)
		if err != nil {
			return nil, nil, err
		}
		debs = append(debs, d)
	}
	return l, debs, nil
}

// owningPackage returns the Debian package that installed path, looked up
// by the path and, with merged /usr, by its resolved one.
func owningPackage(ctx context.Context, path string) (string, error) {
	candidates := []string{path}
	if real, err := filepath.EvalSymlinks(path); err == nil && real != path {
		candidates = append(candidates, real)
	}
	for _, c := range candidates {
		out, err := exec.CommandContext(ctx, "dpkg-query", "-S", c).Output()
		if err != nil {
			continue
		}
		name, _, ok := strings.Cut(strings.SplitN(string(out), "\n", 2)[0], ":")
		if ok {
			return strings.TrimSpace(strings.Split(name, ",")[0]), nil
		}
	}
	return "", fmt.Errorf("no Debian package installed %s (dpkg-query -S)", path)
}

// debPackageOf asks dpkg for the version and architecture of package name.
func debPackageOf(ctx context.Context, name string) (debPackage, error) {
	cmd := exec.CommandContext(ctx, "dpkg-query", "-W", "-f", "${Version} ${Architecture}", name)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	fields := strings.Fields(string(raw))
	if err != nil || len(fields) != 2 {
		return debPackage{}, fmt.Errorf("Debian package %s (apt-get install %s): dpkg-query: %v %s", name, name, err, strings.TrimSpace(stderr.String()))
	}
	return debPackage{Name: name, Version: fields[0], Arch: fields[1]}, nil
}
