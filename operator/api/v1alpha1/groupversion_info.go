// Package v1alpha1 holds the crm.rapport.dev/v1alpha1 API: the Tenant
// resource that the operator reconciles into a running tenant (DESIGN §6).
//
// +kubebuilder:object:generate=true
// +groupName=crm.rapport.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of the resources in this package.
	GroupVersion = schema.GroupVersion{Group: "crm.rapport.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the package's types with a runtime.Scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the package's types to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
