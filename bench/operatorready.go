package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
)

// readiness records when each Tenant was first seen Ready for its current
// generation.
type readiness struct {
	mu      sync.Mutex
	readyAt map[string]time.Time
	// state is the last phase and Ready message seen of each Tenant, for
	// the error when some never get Ready.
	state   map[string]string
	changed chan struct{}
}

func newReadiness() *readiness {
	return &readiness{readyAt: map[string]time.Time{}, state: map[string]string{}, changed: make(chan struct{}, 1)}
}

// watch follows the Tenants until ctx ends, re-listing when a watch closes.
func (r *readiness) watch(ctx context.Context, dyn dynamic.Interface) {
	for ctx.Err() == nil {
		list, err := dyn.Resource(tenantsGVR).List(ctx, metav1.ListOptions{})
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		for i := range list.Items {
			r.see(&list.Items[i])
		}
		w, err := dyn.Resource(tenantsGVR).Watch(ctx, metav1.ListOptions{ResourceVersion: list.GetResourceVersion()})
		if err != nil {
			continue
		}
		for ev := range w.ResultChan() {
			if u, ok := ev.Object.(*unstructured.Unstructured); ok && (ev.Type == watch.Added || ev.Type == watch.Modified) {
				r.see(u)
			}
		}
		w.Stop()
	}
}

// see records u's readiness.
func (r *readiness) see(u *unstructured.Unstructured) {
	phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
	observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	r.mu.Lock()
	r.state[u.GetName()] = fmt.Sprintf("phase %q, %s", phase, readyMessage(u))
	if phase != "Ready" || observed != u.GetGeneration() {
		r.mu.Unlock()
		return
	}
	if _, ok := r.readyAt[u.GetName()]; !ok {
		r.readyAt[u.GetName()] = time.Now()
	}
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// at returns when name was first seen Ready.
func (r *readiness) at(name string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readyAt[name]
}

// await waits until every one of names was seen Ready, or limit passed.
func (r *readiness) await(ctx context.Context, names []string, limit time.Duration) error {
	deadline := time.After(limit)
	for {
		r.mu.Lock()
		left, first := 0, ""
		for _, n := range names {
			if _, ok := r.readyAt[n]; !ok {
				if left == 0 {
					first = n + ": " + r.state[n]
				}
				left++
			}
		}
		r.mu.Unlock()
		if left == 0 {
			return nil
		}
		select {
		case <-r.changed:
		case <-deadline:
			return fmt.Errorf("%d of %d tenants not Ready after %s (the first, %s)", left, len(names), limit, first)
		case <-ctx.Done():
			return errors.Join(ctx.Err(), fmt.Errorf("%d of %d tenants not Ready (the first, %s)", left, len(names), first))
		}
	}
}

// readyMessage is the reason and message of u's Ready condition.
func readyMessage(u *unstructured.Unstructured) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if ok && m["type"] == "Ready" {
			return fmt.Sprintf("Ready %v: %v: %v", m["status"], m["reason"], m["message"])
		}
	}
	return "no Ready condition"
}
