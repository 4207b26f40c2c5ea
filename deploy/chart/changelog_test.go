package chart

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/v2/loader"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// releaseHeading is a CHANGELOG entry's heading: `## [0.1.0] - 2026-12-06`.
var releaseHeading = regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+[^\]]*)\]`)

// TestChangelogFollowsChart: the latest release in charts/rapport's
// CHANGELOG.md is Chart.yaml's version, and its entry names Chart.yaml's
// appVersion (`appVersion X`), so neither changes without an entry.
func TestChangelogFollowsChart(t *testing.T) {
	ch, err := loader.Load(charttest.ChartDir(t))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(charttest.ChartDir(t), "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	latest, entry, ok := latestEntry(string(data))
	if !ok {
		t.Fatal("CHANGELOG.md has no release entry (## [x.y.z] - date)")
	}
	if latest != ch.Metadata.Version {
		t.Errorf("Chart.yaml version %s, but the CHANGELOG's latest entry is %s", ch.Metadata.Version, latest)
	}
	if !strings.Contains(entry, "appVersion "+ch.Metadata.AppVersion) {
		t.Errorf("the CHANGELOG entry of %s does not say `appVersion %s` (Chart.yaml's appVersion)", latest, ch.Metadata.AppVersion)
	}
}

// latestEntry returns the first release heading's version and its entry's
// text (up to the next heading of that level).
func latestEntry(changelog string) (version, entry string, ok bool) {
	loc := releaseHeading.FindStringSubmatchIndex(changelog)
	if loc == nil {
		return "", "", false
	}
	version = changelog[loc[2]:loc[3]]
	rest := changelog[loc[1]:]
	if next := strings.Index(rest, "\n## "); next >= 0 {
		rest = rest[:next]
	}
	return version, rest, true
}
