package version

import (
	"runtime/debug"
	"testing"
)

func TestResolve(t *testing.T) {
	built := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/rapport-crm/rapport/services/contacts", Version: "v0.2.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "47b362f0"},
			{Key: "vcs.modified", Value: "false"},
		},
	}
	dirty := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "47b362f0"}, {Key: "vcs.modified", Value: "true"},
	}}
	tests := []struct {
		name             string
		version, rev     string
		info             *debug.BuildInfo
		wantVer, wantRev string
	}{
		{"set by the linker", "0.1.0", "abc123", built, "0.1.0", "abc123"},
		{"from the build information", "", "", built, "v0.2.0", "47b362f0"},
		{"a devel build of a dirty tree", "", "", dirty, "dev", "47b362f0-dirty"},
		{"the linker's version with the recorded revision", "0.1.0", "", built, "0.1.0", "47b362f0"},
		{"nothing recorded", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev", "dev"},
		{"no build information", "", "", nil, "dev", "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, r := resolve(tt.version, tt.rev, tt.info)
			if v != tt.wantVer || r != tt.wantRev {
				t.Errorf("resolve = %q %q, want %q %q", v, r, tt.wantVer, tt.wantRev)
			}
		})
	}
}

func TestString(t *testing.T) {
	oldV, oldR := Version, Revision
	t.Cleanup(func() { Version, Revision = oldV, oldR })
	Version, Revision = "0.1.0", "47b362f"
	if got := String("contacts"); got != "contacts 0.1.0 47b362f" {
		t.Errorf("String = %q, want %q", got, "contacts 0.1.0 47b362f")
	}
}
