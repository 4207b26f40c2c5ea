package images

import (
	"archive/tar"
	"bytes"
	"io"
	"slices"
	"testing"
	"time"
)

// TestLayerTreeOrder: the same files added in another order give the same
// layer, entries sorted with their parent directories first, every mtime
// the one given.
func TestLayerTreeOrder(t *testing.T) {
	mtime := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	build := func(names ...string) ([]byte, string) {
		l := newLayerTree()
		for _, n := range names {
			l.file(n, 0o644, []byte(n))
		}
		raw, err := l.tar(mtime)
		if err != nil {
			t.Fatal(err)
		}
		layer, err := l.layer(mtime)
		if err != nil {
			t.Fatal(err)
		}
		digest, err := layer.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return raw, digest.String()
	}
	raw, a := build("usr/share/b", "etc/passwd", "usr/share/a")
	_, b := build("usr/share/a", "usr/share/b", "etc/passwd")
	if a != b {
		t.Fatalf("the same files in another order: digests %s and %s", a, b)
	}
	var names []string
	r := tar.NewReader(bytes.NewReader(raw))
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(mtime) || h.Uid != 0 || h.Gid != 0 {
			t.Fatalf("%s: mtime %s owner %d:%d", h.Name, h.ModTime, h.Uid, h.Gid)
		}
		names = append(names, h.Name)
	}
	want := []string{"etc/", "etc/passwd", "usr/", "usr/share/", "usr/share/a", "usr/share/b"}
	if !slices.Equal(names, want) {
		t.Fatalf("entries %v, want %v", names, want)
	}
	l := newLayerTree()
	l.file("../escape", 0o644, nil)
	if _, err := l.tar(mtime); err == nil {
		t.Fatal("an entry outside the image was written")
	}
}
