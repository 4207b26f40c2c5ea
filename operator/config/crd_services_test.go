package config_test

import (
	"fmt"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/rapport-crm/rapport/libs/registry"
)

// servicesSchema is the part of the Tenant CRD that validates spec.services.
type servicesSchema struct {
	MaxProperties int `json:"maxProperties"`
	Validations   []struct {
		Rule    string `json:"rule"`
		Message string `json:"message"`
	} `json:"x-kubernetes-validations"`
}

// tenantCRD is the Tenant CRD down to spec.services.
type tenantCRD struct {
	Spec struct {
		Versions []struct {
			Schema struct {
				OpenAPIV3Schema struct {
					Properties struct {
						Spec struct {
							Properties struct {
								Services servicesSchema `json:"services"`
							} `json:"properties"`
						} `json:"spec"`
					} `json:"properties"`
				} `json:"openAPIV3Schema"`
			} `json:"schema"`
		} `json:"versions"`
	} `json:"spec"`
}

// TestCRDAdmitsRegistryServices checks that the CRD keys spec.services by
// exactly the services of libs/registry a tenant can run. controller-gen
// markers cannot be computed, so the marker on TenantSpec.Services is kept
// by hand and this test names the one to write when the registry changes
// (TestManifestsUpToDate then asks for `make -C operator manifests`).
func TestCRDAdmitsRegistryServices(t *testing.T) {
	var crd tenantCRD
	if err := yaml.Unmarshal(read(t, "crd/bases/crm.rapport.dev_tenants.yaml"), &crd); err != nil {
		t.Fatal(err)
	}
	names := registry.Default().Domain().Names()
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "'" + n + "'"
	}
	rule := fmt.Sprintf("self.all(k, k in [%s])", strings.Join(quoted, ", "))
	message := "services are keyed by " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	marker := fmt.Sprintf("// +kubebuilder:validation:MaxProperties=%d\n// +kubebuilder:validation:XValidation:rule=%q,message=%q", len(names), rule, message)
	for _, v := range crd.Spec.Versions {
		s := v.Schema.OpenAPIV3Schema.Properties.Spec.Properties.Services
		if s.MaxProperties != len(names) || len(s.Validations) != 1 || s.Validations[0].Rule != rule || s.Validations[0].Message != message {
			t.Errorf("spec.services admits %+v, not the registry's %v: mark TenantSpec.Services with\n%s", s, names, marker)
		}
	}
	if len(crd.Spec.Versions) == 0 {
		t.Error("the CRD has no versions")
	}
}
