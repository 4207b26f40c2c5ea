package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/version"
)

func TestCommand(t *testing.T) {
	serve := func() int { t.Error("the command line served"); return 0 }
	var out, errOut bytes.Buffer
	if code := command([]string{"version"}, &out, &errOut, serve); code != 0 || out.String() != version.String("operator")+"\n" || !strings.HasPrefix(out.String(), "operator ") {
		t.Errorf("operator version: exit %d, printed %q", code, &out)
	}
	for _, args := range [][]string{{"migrate"}, {"version", "-v"}, {"--help"}} {
		out.Reset()
		errOut.Reset()
		if code := command(args, &out, &errOut, serve); code != 2 || out.Len() != 0 || !strings.Contains(errOut.String(), "usage: operator [version]") {
			t.Errorf("operator %v: exit %d, stderr %q; want 2 and the usage", args, code, &errOut)
		}
	}
	served := false
	if code := command(nil, &out, &errOut, func() int { served = true; return 1 }); code != 1 || !served {
		t.Errorf("operator with no argument: exit %d, served %v; want serve's status", code, served)
	}
}
