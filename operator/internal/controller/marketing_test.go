package controller_test

import (
	"context"
	"encoding/base64"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/controller"
)

// TestMarketingLinks: a dedicated tenant's marketing service gets the
// gateway's public URL for its links (MARKETING_PUBLIC_URL) and the key
// that signs them (MARKETING_LINK_KEY) from its database Secret, 32 random
// bytes in base64, which a later reconcile keeps: links already mailed
// still work.
func TestMarketingLinks(t *testing.T) {
	w.startOperator(t, func(c *controller.Config) {
		c.Services, c.PublicURL = []string{"contacts", "marketing"}, "https://crm.example.com"
	})
	name := uniqueName("mkt")
	w.mustCreate(t, dedicated(name))
	w.waitPhase(t, name, v1alpha1.PhaseReady)
	ns := controller.Namespace(name)

	var dep appsv1.Deployment
	w.get(t, ns, "marketing", &dep)
	var public, keyRef string
	for _, e := range dep.Spec.Template.Spec.Containers[0].Env {
		switch e.Name {
		case "MARKETING_PUBLIC_URL":
			public = e.Value
		case "MARKETING_LINK_KEY":
			if ref := e.ValueFrom.SecretKeyRef; ref != nil {
				keyRef = ref.Name + "/" + ref.Key
			}
		}
	}
	if public != "https://crm.example.com" || keyRef != controller.DatabaseSecret("marketing")+"/MARKETING_LINK_KEY" {
		t.Errorf("marketing's MARKETING_PUBLIC_URL %q, MARKETING_LINK_KEY from %q; want the gateway's public URL and its database Secret", public, keyRef)
	}
	var contacts appsv1.Deployment
	w.get(t, ns, "contacts", &contacts)
	for _, e := range contacts.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "MARKETING_LINK_KEY" || e.Name == "MARKETING_PUBLIC_URL" {
			t.Errorf("contacts has %s", e.Name)
		}
	}

	key := string(w.databaseSecret(t, name, "marketing").Data["MARKETING_LINK_KEY"])
	if raw, err := base64.StdEncoding.DecodeString(key); err != nil || len(raw) != 32 {
		t.Fatalf("MARKETING_LINK_KEY %q: %v, want 32 bytes in base64", key, err)
	}
	var tn v1alpha1.Tenant
	if err := w.c.Get(context.Background(), client.ObjectKey{Name: name}, &tn); err != nil {
		t.Fatal(err)
	}
	tn.Spec.DisplayName += " again"
	if err := w.c.Update(context.Background(), &tn); err != nil {
		t.Fatal(err)
	}
	w.waitPhase(t, name, v1alpha1.PhaseReady)
	if again := string(w.databaseSecret(t, name, "marketing").Data["MARKETING_LINK_KEY"]); again != key {
		t.Errorf("after a reconcile MARKETING_LINK_KEY is %q, was %q", again, key)
	}
}
