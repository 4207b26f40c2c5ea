package testkit_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/testkit"
)

func TestConsul(t *testing.T) {
	addr := testkit.Consul(t)

	resp, err := http.Get("http://" + addr + "/v1/status/leader")
	if err != nil {
		t.Fatalf("GET leader: %v", err)
	}
	defer resp.Body.Close()
	var got string
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("decode leader: %v", err)
	}
	if got == "" {
		t.Errorf("leader of %s = %q, want an address", addr, got)
	}
}

func TestConsulMissing(t *testing.T) {
	t.Setenv("RAPPORT_TOOLS_DIR", t.TempDir())
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testkit.Consul(rec)
	}()
	<-done
	if want := "consul not built: run `make tools`"; !strings.Contains(rec.msg, want) {
		t.Errorf("Consul failure = %q, want it to contain %q", rec.msg, want)
	}
}
