// Package version says which build of a Rapport program is running. The
// release build sets Version and Revision with the linker:
//
//	go build -ldflags "-X github.com/rapport-crm/rapport/libs/version.Version=0.1.0 \
//	  -X github.com/rapport-crm/rapport/libs/version.Revision=$(git rev-parse HEAD)" ./services/contacts/cmd/contacts
//
// A build without them falls back on what the Go toolchain recorded (the
// main module's version, the VCS revision), and else on "dev".
package version

import "runtime/debug"

// Version is the platform version the program was released as (the chart's
// appVersion); set with -X at link time.
var Version string

// Revision is the commit the program was built from; set with -X at link
// time.
var Revision string

// unknown is what a build that records neither says.
const unknown = "dev"

// String is the line `<prog> version` prints: "<prog> <version> <revision>".
func String(prog string) string {
	v, r := Get()
	return prog + " " + v + " " + r
}

// Get returns the program's version and revision: Version and Revision when
// the linker set them, else the main module's version and the vcs.revision
// setting of the build information (with "-dirty" when the tree had
// uncommitted changes), else "dev".
func Get() (version, revision string) {
	info, _ := debug.ReadBuildInfo() // nil without build information
	return resolve(Version, Revision, info)
}

// resolve is Get with the linker's values and the build information given.
func resolve(version, revision string, info *debug.BuildInfo) (string, string) {
	var modVersion, vcsRevision string
	modified := false
	if info != nil {
		if v := info.Main.Version; v != "" && v != "(devel)" {
			modVersion = v
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				vcsRevision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if vcsRevision != "" && modified {
		vcsRevision += "-dirty"
	}
	return first(version, modVersion, unknown), first(revision, vcsRevision, unknown)
}

// first returns the first of values that is not empty.
func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
