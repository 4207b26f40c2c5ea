package images

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// ChartFile is the chart whose appVersion, the platform's version, every
// image is tagged and stamped with.
const ChartFile = "charts/rapport/Chart.yaml"

// Stamp is what every image of one build carries: the version, the commit
// and the time it was made at.
type Stamp struct {
	// Version is the platform's version (the chart's appVersion): the
	// images' tag, their org.opencontainers.image.version label and
	// libs/version.Version in the binaries.
	Version string
	// Revision is the git commit: the org.opencontainers.image.revision
	// label and libs/version.Revision in the binaries.
	Revision string
	// Created is the images' creation time and every layer entry's mtime:
	// SOURCE_DATE_EPOCH, else the commit's time, so that the same commit
	// gives the same digests.
	Created time.Time
}

// stampValue is what a version or revision may hold: it goes into a tag
// and an -ldflags -X value.
var stampValue = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._+-]{0,127}$`)

// Validate reports a version or revision that cannot tag an image or be
// stamped into a binary.
func (s Stamp) Validate() error {
	if !stampValue.MatchString(s.Version) {
		return fmt.Errorf("version %q: want letters, digits and . _ + - (at most 128)", s.Version)
	}
	if !stampValue.MatchString(s.Revision) {
		return fmt.Errorf("revision %q: want letters, digits and . _ + - (at most 128)", s.Revision)
	}
	return nil
}

// DefaultStamp reads the stamp of the checkout at root: the chart's
// appVersion, git's HEAD, and SOURCE_DATE_EPOCH or else HEAD's commit time.
func DefaultStamp(ctx context.Context, root string) (Stamp, error) {
	version, err := AppVersion(root)
	if err != nil {
		return Stamp{}, err
	}
	revision, err := git(ctx, root, "rev-parse", "HEAD")
	if err != nil {
		return Stamp{}, err
	}
	epoch := os.Getenv("SOURCE_DATE_EPOCH")
	if epoch == "" {
		if epoch, err = git(ctx, root, "log", "-1", "--format=%ct", "HEAD"); err != nil {
			return Stamp{}, err
		}
	}
	secs, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil || secs < 0 {
		return Stamp{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: want seconds since 1970", epoch)
	}
	return Stamp{Version: version, Revision: revision, Created: time.Unix(secs, 0).UTC()}, nil
}

// AppVersion reads the appVersion of the chart at root (ChartFile).
func AppVersion(root string) (string, error) {
	path := filepath.Join(root, ChartFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("the platform's version: %w", err)
	}
	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	if err := yaml.Unmarshal(raw, &chart); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if chart.AppVersion == "" {
		return "", fmt.Errorf("%s: no appVersion", path)
	}
	return chart.AppVersion, nil
}

// git runs git in root and returns its trimmed output.
func git(ctx context.Context, root string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s in %s: %w", strings.Join(args, " "), root, err)
	}
	return strings.TrimSpace(string(out)), nil
}
