package testenv_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rapport-crm/rapport/operator/internal/testenv"
)

func TestKube(t *testing.T) {
	env, err := testenv.NewKube()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop envtest: %v", err)
		}
	})
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	c, err := client.New(env.Config, client.Options{Scheme: scheme})
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
	var crd apiextensionsv1.CustomResourceDefinition
	if err := c.Get(ctx, client.ObjectKey{Name: "tenants.crm.rapport.dev"}, &crd); err != nil {
		t.Errorf("the Tenant CRD is not installed: %v", err)
	}
}

func TestKubeAssetsMissing(t *testing.T) {
	t.Setenv("RAPPORT_TOOLS_DIR", t.TempDir())
	_, err := testenv.KubeAssets()
	if want := "kube-apiserver not built: run `make tools`"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("KubeAssets() = %v, want it to contain %q", err, want)
	}
	if _, err := testenv.NewKube(); err == nil || !strings.Contains(err.Error(), "run `make tools`") {
		t.Errorf("NewKube() = %v, want it to say to run make tools", err)
	}
}
