package testkit_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/rapport-crm/rapport/libs/testkit"
)

func TestKubeToolsDir(t *testing.T) {
	tests := []struct {
		name             string
		tools, xdg, home string
		want             string
	}{
		{name: "explicit", tools: "/opt/tools", xdg: "/x", home: "/h", want: "/opt/tools"},
		{name: "xdg cache", xdg: "/x", home: "/h", want: filepath.Join("/x", "rapport", "tools")},
		{name: "home", home: "/h", want: filepath.Join("/h", ".cache", "rapport", "tools")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("RAPPORT_TOOLS_DIR", tt.tools)
			t.Setenv("XDG_CACHE_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			if got := testkit.ToolsDir(); got != tt.want {
				t.Errorf("ToolsDir() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKubeAssets(t *testing.T) {
	dir := testkit.KubeAssets(t)

	env := &envtest.Environment{BinaryAssetsDirectory: dir}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start envtest: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop envtest: %v", err)
		}
	})

	c, err := client.New(cfg, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	want := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name:   "tenant-acme",
		Labels: map[string]string{"crm.rapport.dev/tenant": "acme"},
	}}
	if err := c.Create(ctx, want); err != nil {
		t.Fatalf("create namespace: %v", err)
	}

	var got corev1.Namespace
	if err := c.Get(ctx, client.ObjectKey{Name: want.Name}, &got); err != nil {
		t.Fatalf("get namespace: %v", err)
	}
	if got.Labels["crm.rapport.dev/tenant"] != "acme" {
		t.Errorf("namespace labels = %v, want crm.rapport.dev/tenant=acme", got.Labels)
	}
	if got.UID == "" {
		t.Errorf("namespace UID is empty, want one assigned by the API server")
	}
}

func TestKubeAssetsMissing(t *testing.T) {
	t.Setenv("RAPPORT_TOOLS_DIR", t.TempDir())
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testkit.KubeAssets(rec)
	}()
	<-done
	if want := "kube-apiserver not built: run `make tools`"; !strings.Contains(rec.msg, want) {
		t.Errorf("KubeAssets failure = %q, want it to contain %q", rec.msg, want)
	}
}

// fatalRecorder records the message of Fatalf and ends the goroutine, so a
// test can check how a helper fails a test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
