package charttest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// FieldManager is the field manager of DryRunApply's applies.
const FieldManager = "charttest"

// DryRunApply server-side applies every object to the API server of cfg
// with dryRun=All and fieldValidation=Strict, so an unknown field, a wrong
// type or anything the server's validation (OpenAPI schema, CEL rules)
// refuses fails the test, naming the object. Namespaced objects that name
// no namespace go to Namespace. The namespaces the objects use (and any
// Namespace object among them) are created for real first, since a dry run
// into a missing namespace fails.
func DryRunApply(t testing.TB, cfg *rest.Config, objs []*unstructured.Unstructured) {
	t.Helper()
	for _, err := range DryRun(cfg, objs) {
		t.Error(err)
	}
}

// DryRun is DryRunApply returning the errors, one per object refused (or
// one for a namespace that could not be created).
func DryRun(cfg *rest.Config, objs []*unstructured.Unstructured) []error {
	ctx := context.Background()
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return []error{err}
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return []error{err}
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))
	type target struct {
		obj     *unstructured.Unstructured
		mapping *meta.RESTMapping
	}
	var targets []target
	var errs []error
	namespaces := map[string]bool{}
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: the API server does not serve it: %w", gvk, o.GetName(), err))
			continue
		}
		o = o.DeepCopy()
		switch {
		case m.Scope.Name() == meta.RESTScopeNameNamespace && o.GetNamespace() == "":
			o.SetNamespace(Namespace)
			namespaces[Namespace] = true
		case m.Scope.Name() == meta.RESTScopeNameNamespace:
			namespaces[o.GetNamespace()] = true
		case gvk.Group == "" && gvk.Kind == "Namespace":
			namespaces[o.GetName()] = true
		}
		targets = append(targets, target{o, m})
	}
	if err := createNamespaces(ctx, cfg, namespaces); err != nil {
		return append(errs, err)
	}
	force := true
	for _, tg := range targets {
		o := tg.obj
		data, err := json.Marshal(o.Object)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", o.GroupVersionKind(), o.GetName(), err))
			continue
		}
		var ri dynamic.ResourceInterface = dyn.Resource(tg.mapping.Resource)
		if o.GetNamespace() != "" {
			ri = dyn.Resource(tg.mapping.Resource).Namespace(o.GetNamespace())
		}
		_, err = ri.Patch(ctx, o.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{
			DryRun:          []string{metav1.DryRunAll},
			FieldManager:    FieldManager,
			FieldValidation: metav1.FieldValidationStrict,
			Force:           &force,
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("server-side dry-run apply of %s %s/%s: %w", o.GroupVersionKind(), o.GetNamespace(), o.GetName(), err))
		}
	}
	return errs
}

// createNamespaces creates each namespace unless it exists.
func createNamespaces(ctx context.Context, cfg *rest.Config, names map[string]bool) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	for name := range names {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
		_, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create namespace %s: %w", name, err)
		}
	}
	return nil
}
