package images

import (
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Where the images are published and what their labels say of the source.
const (
	// Registry is the repository prefix of every image:
	// ghcr.io/rapport-crm/<program>.
	Registry = "ghcr.io/rapport-crm"
	// Source is the org.opencontainers.image.source label.
	Source = "https://github.com/rapport-crm/rapport"
	// Licenses is the org.opencontainers.image.licenses label: the
	// repository declares no licence yet, so no assertion is made.
	Licenses = "NOASSERTION"
)

// Tag is the reference of p's image for the stamp's version:
// ghcr.io/rapport-crm/<program>:<version>.
func Tag(p Program, s Stamp) (name.Tag, error) {
	return name.NewTag(Registry+"/"+p.Name+":"+s.Version, name.StrictValidation)
}

// Labels are the OCI labels of p's image.
func Labels(p Program, s Stamp) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":    p.Name,
		"org.opencontainers.image.source":   Source,
		"org.opencontainers.image.revision": s.Revision,
		"org.opencontainers.image.version":  s.Version,
		"org.opencontainers.image.licenses": Licenses,
		"org.opencontainers.image.created":  s.Created.Format(time.RFC3339),
	}
}

// tools is a layer of programs an image carries beside its own (the
// operator's pg_dump and pg_restore) and the environment naming them.
type tools struct {
	layer v1.Layer
	env   []string
	what  string
}

// assemble puts p's image together: the shared base layer, then t's layer
// when t is not nil, then a layer holding only /<program>; user nonroot,
// entrypoint the program, workdir /, no shell, the labels, t's environment,
// and every time the stamp's.
func assemble(p Program, s Stamp, arch string, base v1.Layer, t *tools, binary []byte) (v1.Image, error) {
	app := newLayerTree()
	app.file(p.Name, 0o755, binary)
	appLayer, err := app.layer(s.Created)
	if err != nil {
		return nil, err
	}
	var env []string
	if t != nil {
		env = t.env
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.ConfigFile(img, &v1.ConfigFile{
		Architecture: arch,
		OS:           "linux",
		Created:      v1.Time{Time: s.Created},
		RootFS:       v1.RootFS{Type: "layers"},
		Config: v1.Config{
			User:       fmt.Sprintf("%d:%d", NonRoot, NonRoot),
			Entrypoint: []string{"/" + p.Name},
			WorkingDir: "/",
			Env:        env,
			Labels:     Labels(p, s),
		},
	})
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: s.Created}
	layers := []mutate.Addendum{{Layer: base, History: v1.History{Created: created, CreatedBy: "rapport images: base (CA bundle, time zones, passwd)"}}}
	if t != nil {
		layers = append(layers, mutate.Addendum{Layer: t.layer, History: v1.History{Created: created, CreatedBy: "rapport images: " + t.what}})
	}
	layers = append(layers, mutate.Addendum{Layer: appLayer, History: v1.History{Created: created, CreatedBy: "rapport images: /" + p.Name}})
	return mutate.Append(img, layers...)
}
