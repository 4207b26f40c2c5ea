package images

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// testStamp is what the test's images are stamped with.
var testStamp = Stamp{
	Version:  "1.2.3-test",
	Revision: "0123456789abcdef0123456789abcdef01234567",
	Created:  time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
}

// TestImage builds the contacts service's image twice into two directories
// and checks what was written: the same digest and bytes, the config, the
// base's files, the binary running, the SBOM, and the layout and tarball
// read back.
func TestImage(t *testing.T) {
	contacts, ok := Lookup("contacts")
	if !ok {
		t.Fatal("no contacts program")
	}
	build := func() Image {
		t.Helper()
		imgs, err := Build(context.Background(), Options{Root: repoRoot, Out: t.TempDir(), Stamp: testStamp, Programs: []Program{contacts}})
		if err != nil {
			t.Fatal(err)
		}
		return imgs[0]
	}
	first, second := build(), build()
	img := readLayout(t, first)

	t.Run("reproducible", func(t *testing.T) {
		if first.Digest != second.Digest {
			t.Fatalf("two builds of one commit: digests %s and %s", first.Digest, second.Digest)
		}
		for _, pick := range []func(Image) string{
			func(i Image) string { return i.Tarball },
			func(i Image) string { return i.SBOM },
			func(i Image) string { return filepath.Join(i.Layout, "index.json") },
		} {
			if a, b := readFile(t, pick(first)), readFile(t, pick(second)); !bytes.Equal(a, b) {
				t.Errorf("%s and %s differ", pick(first), pick(second))
			}
		}
		if got, err := img.Digest(); err != nil || got != first.Digest {
			t.Fatalf("the layout's image is %s (%v), Build said %s", got, err, first.Digest)
		}
		if first.Tag.String() != "ghcr.io/rapport-crm/contacts:1.2.3-test" {
			t.Fatalf("tag %s", first.Tag)
		}
	})

	t.Run("config", func(t *testing.T) {
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		c := cfg.Config
		if c.User != "65532:65532" || !slices.Equal(c.Entrypoint, []string{"/contacts"}) || c.WorkingDir != "/" || len(c.Cmd) != 0 {
			t.Fatalf("config user %q entrypoint %q workdir %q cmd %q", c.User, c.Entrypoint, c.WorkingDir, c.Cmd)
		}
		want := map[string]string{
			"org.opencontainers.image.title":    "contacts",
			"org.opencontainers.image.source":   "https://github.com/rapport-crm/rapport",
			"org.opencontainers.image.revision": testStamp.Revision,
			"org.opencontainers.image.version":  testStamp.Version,
			"org.opencontainers.image.licenses": Licenses,
			"org.opencontainers.image.created":  "2026-01-02T03:04:05Z",
		}
		if !maps.Equal(c.Labels, want) {
			t.Fatalf("labels %v, want %v", c.Labels, want)
		}
		if !cfg.Created.Equal(testStamp.Created) || cfg.OS != "linux" || cfg.RootFS.Type != "layers" {
			t.Fatalf("created %s os %q rootfs %q", cfg.Created, cfg.OS, cfg.RootFS.Type)
		}
		for _, h := range cfg.History {
			if !h.Created.Equal(testStamp.Created) {
				t.Fatalf("history %q created %s", h.CreatedBy, h.Created)
			}
		}
	})

	files := flatten(t, img)
	t.Run("files", func(t *testing.T) {
		ca, err := os.ReadFile(CABundle)
		if err != nil {
			t.Fatal(err)
		}
		if got := files["etc/ssl/certs/ca-certificates.crt"]; !bytes.Equal(got.data, ca) || got.hdr.Mode != 0o644 {
			t.Fatalf("CA bundle: %d bytes mode %o, want this machine's %d bytes", len(got.data), got.hdr.Mode, len(ca))
		}
		if berlin := files["usr/share/zoneinfo/Europe/Berlin"]; !bytes.HasPrefix(berlin.data, []byte("TZif")) {
			t.Fatal("no time zone Europe/Berlin")
		}
		if !strings.Contains(string(files["etc/passwd"].data), "nonroot:x:65532:65532:") || !strings.Contains(string(files["etc/group"].data), "nonroot:x:65532:") {
			t.Fatalf("passwd %q group %q lack nonroot 65532", files["etc/passwd"].data, files["etc/group"].data)
		}
		for name, f := range files {
			if !f.hdr.ModTime.Equal(testStamp.Created) || f.hdr.Uname != "" || (f.hdr.Uid != 0 && name != "home/nonroot") {
				t.Fatalf("%s: mtime %s owner %d %q", name, f.hdr.ModTime, f.hdr.Uid, f.hdr.Uname)
			}
		}
		for _, shell := range []string{"bin/sh", "usr/bin/sh", "bin/bash"} {
			if _, ok := files[shell]; ok {
				t.Fatalf("the image has a shell: %s", shell)
			}
		}
		if bin := files["contacts"]; bin.hdr.Mode != 0o755 || len(bin.data) == 0 {
			t.Fatalf("/contacts mode %o, %d bytes", bin.hdr.Mode, len(bin.data))
		}
	})

	t.Run("runs", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "contacts")
		if err := os.WriteFile(bin, files["contacts"].data, 0o755); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd := exec.Command(bin)
		cmd.Env = []string{}
		cmd.Stderr = &stderr
		var exit *exec.ExitError
		if err := cmd.Run(); !errors.As(err, &exit) || exit.ExitCode() != 2 || !regexp.MustCompile(`[A-Z][A-Z0-9_]{2,} is required`).MatchString(stderr.String()) {
			t.Fatalf("with no environment: %v, stderr %q; want exit 2 naming a missing variable", err, stderr.String())
		}
		out, err := exec.Command(bin, "version").Output()
		if want := "contacts 1.2.3-test " + testStamp.Revision + "\n"; err != nil || string(out) != want {
			t.Fatalf("contacts version: %q (%v), want %q", out, err, want)
		}
	})

	t.Run("sbom", func(t *testing.T) {
		var bom cdx.BOM
		if err := cdx.NewBOMDecoder(bytes.NewReader(readFile(t, first.SBOM)), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
			t.Fatal(err)
		}
		if bom.Metadata == nil || bom.Metadata.Component == nil || !strings.Contains(bom.Metadata.Component.PackageURL, first.Digest.String()) {
			t.Fatalf("the SBOM's subject %+v does not name the image %s", bom.Metadata, first.Digest)
		}
		got := map[string]string{}
		for _, c := range *bom.Components {
			got[c.Name] = c.Version
		}
		debs, err := basePackages(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range debs {
			if got[d.Name] != d.Version {
				t.Errorf("SBOM has %s %q, dpkg says %q", d.Name, got[d.Name], d.Version)
			}
		}
		if got["github.com/lib/pq"] == "" || got["contacts"] != testStamp.Version {
			t.Fatalf("SBOM lacks the PostgreSQL driver github.com/lib/pq or the program: %v", got)
		}
	})

	t.Run("sbom_artifact", func(t *testing.T) {
		path := layout.Path(first.Layout)
		index, err := path.ImageIndex()
		if err != nil {
			t.Fatal(err)
		}
		im, err := index.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(im.Manifests, func(d v1.Descriptor) bool { return d.ArtifactType == SBOMMediaType })
		if i < 0 {
			t.Fatalf("the layout's index holds no SBOM artifact: %+v", im.Manifests)
		}
		var m v1.Manifest
		if err := json.Unmarshal(readBlob(t, path, im.Manifests[i].Digest), &m); err != nil {
			t.Fatal(err)
		}
		if m.Subject == nil || m.Subject.Digest != first.Digest || len(m.Layers) != 1 {
			t.Fatalf("SBOM artifact %+v: want the image %s as its subject and one layer", m, first.Digest)
		}
		if !bytes.Equal(readBlob(t, path, m.Layers[0].Digest), readFile(t, first.SBOM)) {
			t.Fatalf("the artifact's layer is not %s", first.SBOM)
		}
	})

	t.Run("tarball", func(t *testing.T) {
		tagged, err := tarball.ImageFromPath(first.Tarball, &first.Tag)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tagged.ConfigName()
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := img.ConfigName(); got != want {
			t.Fatalf("the tarball's config %s, the layout's %s", got, want)
		}
	})
}

// readLayout reads the image Build wrote into im's OCI layout.
func readLayout(t *testing.T, im Image) v1.Image {
	t.Helper()
	index, err := layout.ImageIndexFromPath(im.Layout)
	if err != nil {
		t.Fatal(err)
	}
	img, err := index.Image(im.Digest)
	if err != nil {
		t.Fatalf("image %s in %s: %v", im.Digest, im.Layout, err)
	}
	return img
}

// entry is one file of an image's file system.
type entry struct {
	hdr  tar.Header
	data []byte
}

// flatten reads img's file system, its layers applied in order.
func flatten(t *testing.T, img v1.Image) map[string]entry {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	out := map[string]entry{}
	r := tar.NewReader(rc)
	for {
		h, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(h.Name, "/")] = entry{hdr: *h, data: data}
	}
}

func readBlob(t *testing.T, path layout.Path, digest v1.Hash) []byte {
	t.Helper()
	rc, err := path.Blob(digest)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
