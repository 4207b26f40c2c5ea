package images

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The files the base takes from this machine, and the Debian packages that
// installed them.
const (
	// CABundle is the CA certificates bundle of package ca-certificates.
	CABundle = "/etc/ssl/certs/ca-certificates.crt"
	// ZoneInfo is the time zone database of package tzdata.
	ZoneInfo = "/usr/share/zoneinfo"
)

// BasePackages are the Debian packages whose files the base holds.
var BasePackages = []string{"ca-certificates", "tzdata"}

// NonRoot is the user and group every program runs as: the distroless
// convention's nonroot.
const NonRoot = 65532

const (
	passwd = "root:x:0:0:root:/root:/sbin/nologin\n" +
		"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
	group = "root:x:0:\nnonroot:x:65532:\n"
)

// debPackage is a Debian package the base took files from.
type debPackage struct {
	Name, Version, Arch string
}

// baseTree is the base every image shares: the CA bundle, the time zones
// (their symlinks kept, those leaving the database dropped: localtime),
// passwd and group with nonroot 65532, its home, and a /tmp.
func baseTree() (*layerTree, error) {
	l := newLayerTree()
	ca, err := os.ReadFile(CABundle)
	if err != nil {
		return nil, fmt.Errorf("the base's CA bundle (package ca-certificates): %w", err)
	}
	l.file(strings.TrimPrefix(CABundle, "/"), 0o644, ca)
	err = filepath.WalkDir(ZoneInfo, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "/")
		switch {
		case d.IsDir():
			l.dir(name, 0o755, 0)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if !filepath.IsAbs(target) {
				l.symlink(name, target)
			}
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			l.file(name, 0o644, data)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("the base's time zones (package tzdata): %w", err)
	}
	l.file("etc/passwd", 0o644, []byte(passwd))
	l.file("etc/group", 0o644, []byte(group))
	l.dir("home/nonroot", 0o700, NonRoot)
	l.dir("tmp", 0o1777, 0)
	return l, nil
}

// basePackages asks dpkg for the version and architecture of each of
// BasePackages.
func basePackages(ctx context.Context) ([]debPackage, error) {
	var out []debPackage
	for _, name := range BasePackages {
		d, err := debPackageOf(ctx, name)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
