package images

import (
	"context"
	"fmt"
	"os"
	"os/exec"
)

// versionPackage holds the Version and Revision vars every program prints
// with its version subcommand; -X of a var it does not have is ignored.
const versionPackage = "github.com/rapport-crm/rapport/libs/version"

// compile builds p from the checkout at root into out: static (no cgo),
// for linux on arch, without local paths or VCS stamps (-trimpath,
// -buildvcs=false) so that the same commit gives the same bytes, stripped,
// with the stamp's version and revision in libs/version.
func compile(ctx context.Context, root string, p Program, s Stamp, arch, out string) error {
	ldflags := fmt.Sprintf("-s -w -X %s.Version=%s -X %s.Revision=%s", versionPackage, s.Version, versionPackage, s.Revision)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, p.Package)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", p.Package, err, output)
	}
	return nil
}
