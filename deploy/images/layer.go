package images

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// layerTree is the content of one layer: entries by their path (no
// leading slash) and the bytes of its regular files, written in sorted
// order with fixed owners and one mtime, so the same content always gives
// the same layer.
type layerTree struct {
	entries map[string]*tar.Header
	data    map[string][]byte
}

func newLayerTree() *layerTree {
	return &layerTree{entries: map[string]*tar.Header{}, data: map[string][]byte{}}
}

// dir adds a directory owned by uid:gid with mode (its parents root's 0755).
func (l *layerTree) dir(name string, mode int64, uid int) {
	l.parents(name)
	l.entries[name] = &tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, Uid: uid, Gid: uid}
}

// file adds a regular file owned by root with mode.
func (l *layerTree) file(name string, mode int64, data []byte) {
	l.parents(name)
	l.entries[name] = &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data))}
	l.data[name] = data
}

// symlink adds a symbolic link to target.
func (l *layerTree) symlink(name, target string) {
	l.parents(name)
	l.entries[name] = &tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777}
}

// parents adds the directories above name that are not there yet.
func (l *layerTree) parents(name string) {
	for d := path.Dir(name); d != "." && d != "/"; d = path.Dir(d) {
		if _, ok := l.entries[d]; !ok {
			l.entries[d] = &tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755}
		}
	}
}

// tar writes the tree as an uncompressed tar, entries sorted by path, every
// entry's mtime at mtime and no user or group names.
func (l *layerTree) tar(mtime time.Time) ([]byte, error) {
	names := make([]string, 0, len(l.entries))
	for n := range l.entries {
		if strings.HasPrefix(n, "/") || strings.Contains(n, "..") {
			return nil, fmt.Errorf("layer entry %q: want a relative path inside the image", n)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, n := range names {
		h := *l.entries[n]
		h.ModTime = mtime
		if err := w.WriteHeader(&h); err != nil {
			return nil, fmt.Errorf("layer entry %s: %w", n, err)
		}
		if _, err := w.Write(l.data[n]); err != nil {
			return nil, fmt.Errorf("layer entry %s: %w", n, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// layer makes an OCI layer (gzip) of the tree.
func (l *layerTree) layer(mtime time.Time) (v1.Layer, error) {
	raw, err := l.tar(mtime)
	if err != nil {
		return nil, err
	}
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raw)), nil
	}, tarball.WithMediaType(types.OCILayer))
}
