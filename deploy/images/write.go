package images

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// emptyConfig is the OCI empty descriptor's content: the config of an
// artifact that has none.
var emptyConfig = []byte("{}")

// writeLayout writes img as the OCI image layout dir (replacing what was
// there), its index naming it tag, and beside it the SBOM as an OCI
// artifact whose subject is the image (the referrers a registry would
// list), artifactType SBOMMediaType.
func writeLayout(dir string, tag name.Tag, img v1.Image, doc []byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	path, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	if err := path.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": tag.TagStr(),
		"io.containerd.image.name":          tag.Name(),
	})); err != nil {
		return fmt.Errorf("OCI layout %s: %w", dir, err)
	}
	subject, err := descriptor(img)
	if err != nil {
		return err
	}
	configDesc, err := writeBlob(path, types.MediaType("application/vnd.oci.empty.v1+json"), emptyConfig)
	if err != nil {
		return err
	}
	sbomDesc, err := writeBlob(path, SBOMMediaType, doc)
	if err != nil {
		return err
	}
	manifest, err := json.Marshal(v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  SBOMMediaType,
		Config:        configDesc,
		Layers:        []v1.Descriptor{sbomDesc},
		Subject:       &subject,
	})
	if err != nil {
		return err
	}
	manifestDesc, err := writeBlob(path, types.OCIManifestSchema1, manifest)
	if err != nil {
		return err
	}
	manifestDesc.ArtifactType = SBOMMediaType
	return path.AppendDescriptor(manifestDesc)
}

// descriptor is img's descriptor as a manifest's subject names it.
func descriptor(img v1.Image) (v1.Descriptor, error) {
	digest, err := img.Digest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	size, err := img.Size()
	if err != nil {
		return v1.Descriptor{}, err
	}
	mt, err := img.MediaType()
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: mt, Digest: digest, Size: size}, nil
}

// writeBlob stores data in the layout and returns its descriptor.
func writeBlob(path layout.Path, mt types.MediaType, data []byte) (v1.Descriptor, error) {
	digest, size, err := v1.SHA256(bytes.NewReader(data))
	if err != nil {
		return v1.Descriptor{}, err
	}
	if err := path.WriteBlob(digest, io.NopCloser(bytes.NewReader(data))); err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: mt, Digest: digest, Size: size}, nil
}

// writeTarball writes img as a docker-archive tarball tagged tag (for
// docker load and kind load image-archive).
func writeTarball(file string, tag name.Tag, img v1.Image) error {
	if err := tarball.WriteToFile(file, tag, img); err != nil {
		return fmt.Errorf("tarball %s: %w", file, err)
	}
	return nil
}
