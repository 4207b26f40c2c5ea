package console

import (
	"embed"
	"io/fs"
)

// dist is what `vite build` wrote; in a checkout without a built console
// it holds only .gitkeep, and the handler says how to build it.
//
//go:embed all:dist
var dist embed.FS

// Assets is the built console: index.html and assets/.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded above; it cannot be missing
	}
	return sub
}
