package images

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Options is what Build builds and where.
type Options struct {
	// Root is the repository's root, where the programs are built.
	Root string
	// Out is the directory the images go to (make images: bin/images).
	Out string
	// Stamp is the version, revision and time of every image.
	Stamp Stamp
	// Programs are the programs to build; empty means every one (Programs).
	Programs []Program
	// Arch is the GOARCH of the images; empty means this machine's.
	Arch string
	// Log, when set, gets a line per image built.
	Log io.Writer
}

// Image is what Build wrote for one program.
type Image struct {
	// Program is the program the image runs.
	Program Program
	// Tag is the image's reference: ghcr.io/rapport-crm/<program>:<version>.
	Tag name.Tag
	// Digest is the image manifest's digest.
	Digest v1.Hash
	// Layout is the OCI image layout's directory: <Out>/<program>.
	Layout string
	// Tarball is the docker-archive tarball: <Out>/<program>.tar.
	Tarball string
	// SBOM is the CycloneDX JSON document: <Out>/<program>.cdx.json.
	SBOM string
}

// Build builds each program's image into o.Out: the OCI layout
// <program>/ (with the SBOM as an artifact referring to the image), the
// tarball <program>.tar and the SBOM <program>.cdx.json.
func Build(ctx context.Context, o Options) ([]Image, error) {
	if err := o.Stamp.Validate(); err != nil {
		return nil, err
	}
	if o.Arch == "" {
		o.Arch = runtime.GOARCH
	}
	if len(o.Programs) == 0 {
		o.Programs = Programs()
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, err
	}
	base, err := baseTree()
	if err != nil {
		return nil, err
	}
	baseLayer, err := base.layer(o.Stamp.Created)
	if err != nil {
		return nil, err
	}
	debs, err := basePackages(ctx)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "rapport-images-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	var out []Image
	for _, p := range o.Programs {
		img, err := buildOne(ctx, root, work, o, p, baseLayer, debs)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", p.Name, err)
		}
		if o.Log != nil {
			fmt.Fprintf(o.Log, "images: %s@%s\n", img.Tag, img.Digest)
		}
		out = append(out, img)
	}
	return out, nil
}

// buildOne compiles p into work and writes its image, tarball and SBOM.
func buildOne(ctx context.Context, root, work string, o Options, p Program, base v1.Layer, debs []debPackage) (Image, error) {
	tag, err := Tag(p, o.Stamp)
	if err != nil {
		return Image{}, err
	}
	bin := filepath.Join(work, p.Name)
	if err := compile(ctx, root, p, o.Stamp, o.Arch, bin); err != nil {
		return Image{}, err
	}
	binary, err := os.ReadFile(bin)
	if err != nil {
		return Image{}, err
	}
	var t *tools
	if p.PGTools {
		dir, err := pgBinDir()
		if err != nil {
			return Image{}, err
		}
		tree, toolDebs, err := toolsTree(ctx, dir, PGTools)
		if err != nil {
			return Image{}, err
		}
		layer, err := tree.layer(o.Stamp.Created)
		if err != nil {
			return Image{}, err
		}
		t = &tools{layer: layer, env: []string{"PG_BIN_DIR=" + dir}, what: strings.Join(PGTools, ", ") + " in " + dir + " with their libraries"}
		debs = append(slices.Clip(debs), toolDebs...)
	}
	img, err := assemble(p, o.Stamp, o.Arch, base, t, binary)
	if err != nil {
		return Image{}, err
	}
	digest, err := img.Digest()
	if err != nil {
		return Image{}, err
	}
	doc, err := sbom(p, o.Stamp, tag, digest, bin, debs)
	if err != nil {
		return Image{}, err
	}
	res := Image{
		Program: p, Tag: tag, Digest: digest,
		Layout:  filepath.Join(o.Out, p.Name),
		Tarball: filepath.Join(o.Out, p.Name+".tar"),
		SBOM:    filepath.Join(o.Out, p.Name+".cdx.json"),
	}
	if err := writeLayout(res.Layout, tag, img, doc); err != nil {
		return Image{}, err
	}
	if err := writeTarball(res.Tarball, tag, img); err != nil {
		return Image{}, err
	}
	return res, os.WriteFile(res.SBOM, doc, 0o644)
}
