package controller_test

import (
	"context"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/controller"
)

// startOperator runs a manager with the Tenant controller, configured by
// w.config() and then mutate, until the returned stop is called or the
// test ends. At the end of the test, a manager still running first deletes
// every Tenant and waits until its finalizer let each go, so no test
// leaves anything behind.
func (w *world) startOperator(t *testing.T, mutate func(*controller.Config)) (stop func()) {
	t.Helper()
	return w.startOperatorAs(t, w.env.Config, mutate)
}

// startOperatorAs is startOperator connecting to the API server with
// restConfig.
func (w *world) startOperatorAs(t *testing.T, restConfig *rest.Config, mutate func(*controller.Config)) (stop func()) {
	t.Helper()
	cfg := w.config()
	if mutate != nil {
		mutate(&cfg)
	}
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme:                 w.scheme,
		Cache:                  controller.CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// Every test starts its own manager in this one process.
		Controller: ctrlconfig.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := controller.Setup(mgr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("manager: %v", err)
			}
			if err := r.Close(); err != nil {
				t.Errorf("close reconciler: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			w.removeAll(t)
		}
		stop()
	})
	return stop
}

// removeAll deletes every Tenant and waits until each is gone. One whose
// finalizer never completes fails the test and is released by hand.
func (w *world) removeAll(t *testing.T) {
	t.Helper()
	var list v1alpha1.TenantList
	if err := w.c.List(context.Background(), &list); err != nil {
		t.Errorf("list tenants: %v", err)
		return
	}
	for _, tn := range list.Items {
		w.remove(t, tn.Name)
	}
}

// remove deletes tenant name and waits until it is gone. A Tenant whose
// finalizer never completes fails the test and is released by hand.
func (w *world) remove(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	tn := &v1alpha1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := w.c.Delete(ctx, tn); apierrors.IsNotFound(err) {
		return
	} else if err != nil {
		t.Errorf("delete tenant %s: %v", name, err)
	}
	if w.gone(name, waitFor) {
		return
	}
	t.Errorf("tenant %s still there %s after its deletion", name, waitFor)
	if err := w.c.Get(ctx, client.ObjectKeyFromObject(tn), tn); err == nil {
		tn.Finalizers = nil
		_ = w.c.Update(ctx, tn)
	}
}

// gone waits up to d for tenant name to disappear.
func (w *world) gone(name string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		err := w.c.Get(context.Background(), client.ObjectKey{Name: name}, &v1alpha1.Tenant{})
		if apierrors.IsNotFound(err) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}
