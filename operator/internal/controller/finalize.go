package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/kafka"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
)

// finalize removes what t had and then its finalizer. A failure is
// reported on the Ready condition and retried with back-off.
func (r *TenantReconciler) finalize(ctx context.Context, t *v1alpha1.Tenant) error {
	if !controllerutil.ContainsFinalizer(t, Finalizer) {
		return nil
	}
	if t.Status.Phase != v1alpha1.PhaseDeleting {
		before := t.DeepCopy()
		t.Status.Phase = v1alpha1.PhaseDeleting
		setCondition(t, v1alpha1.ConditionReady, false, v1alpha1.ReasonDeleting, "removing what the tenant had")
		if err := r.patchStatus(ctx, t, before); err != nil {
			return err
		}
	}
	before := t.DeepCopy()
	if err := r.teardown(ctx, t); err != nil {
		reason := reasonOf(err, v1alpha1.ReasonDeleting)
		setCondition(t, v1alpha1.ConditionReady, false, reason, "deleting: "+err.Error())
		r.event(t, corev1.EventTypeWarning, reason, "Delete", "%s", err.Error())
		return errors.Join(err, r.patchStatus(ctx, t, before))
	}
	patch := client.MergeFromWithOptions(t.DeepCopy(), client.MergeFromWithOptimisticLock{})
	controllerutil.RemoveFinalizer(t, Finalizer)
	if err := r.Patch(ctx, t, patch); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("remove finalizer: %w", err)
	}
	return nil
}

// teardown removes t's gateway record, its namespace (and so its workloads
// and Secrets), its topics, its databases and roles unless they are
// retained, and its invitation. Each part skips what is already gone, so a
// retry redoes nothing.
func (r *TenantReconciler) teardown(ctx context.Context, t *v1alpha1.Tenant) error {
	if err := r.bounded(ctx, t, r.unregister); err != nil {
		return err
	}
	if t.Dedicated() {
		if err := r.deleteNamespace(ctx, t); err != nil {
			return err
		}
		if err := r.bounded(ctx, t, r.deleteTopics); err != nil {
			return err
		}
		if err := r.bounded(ctx, t, r.dropDatabases); err != nil {
			return err
		}
	}
	inv := &corev1.Secret{}
	inv.Namespace, inv.Name = r.Config.Namespace, InvitationSecret(t.Name)
	if err := r.Delete(ctx, inv); err != nil && !apierrors.IsNotFound(err) {
		return failuref(v1alpha1.ReasonGatewayRejected, "delete Secret %s/%s: %w", inv.Namespace, inv.Name, err)
	}
	return nil
}

// bounded runs one part of the teardown within the step timeout.
func (r *TenantReconciler) bounded(ctx context.Context, t *v1alpha1.Tenant, fn func(context.Context, *v1alpha1.Tenant) error) error {
	ctx, cancel := context.WithTimeout(ctx, r.Config.StepTimeout)
	defer cancel()
	return fn(ctx, t)
}

// unregister marks t deleted in the gateway, which keeps its slug reserved.
func (r *TenantReconciler) unregister(ctx context.Context, t *v1alpha1.Tenant) error {
	var gt gatewayadmin.Tenant
	var err error
	if id := t.Status.GatewayID; id != "" {
		gt, err = r.gateway.Get(ctx, id)
	} else {
		gt, err = r.gateway.FindBySlug(ctx, t.Name)
	}
	switch {
	case errors.Is(err, gatewayadmin.ErrNotFound):
		return nil
	case err != nil:
		return gatewayFailure(err)
	case gt.Status == gatewayadmin.StatusDeleted:
		return nil
	}
	if err := r.gateway.Delete(ctx, gt.ID); err != nil && !errors.Is(err, gatewayadmin.ErrNotFound) {
		return gatewayFailure(err)
	}
	r.event(t, corev1.EventTypeNormal, "Unregistered", "Delete", "deleted gateway tenant %s", gt.ID)
	return nil
}

// deleteNamespace deletes t's namespace, and with it the workloads and
// Secrets, unless it is gone or already going.
func (r *TenantReconciler) deleteNamespace(ctx context.Context, t *v1alpha1.Tenant) error {
	ns := &corev1.Namespace{}
	err := r.Get(ctx, client.ObjectKey{Name: Namespace(t.Name)}, ns)
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return failuref(v1alpha1.ReasonNamespaceFailed, "namespace %s: %w", Namespace(t.Name), err)
	case !ns.DeletionTimestamp.IsZero():
		return nil
	}
	if err := r.Delete(ctx, ns); err != nil && !apierrors.IsNotFound(err) {
		return failuref(v1alpha1.ReasonNamespaceFailed, "delete namespace %s: %w", ns.Name, err)
	}
	r.event(t, corev1.EventTypeNormal, "WorkloadsRemoved", "Delete", "deleted namespace %s with the workloads", ns.Name)
	return nil
}

// deleteTopics removes t's topics.
func (r *TenantReconciler) deleteTopics(ctx context.Context, t *v1alpha1.Tenant) error {
	deleted, err := r.topics.Delete(ctx, union(t.Status.Topics, Topics(t.Name, r.Config.Services)))
	if err != nil {
		if errors.Is(err, kafka.ErrUnreachable) {
			return failure(v1alpha1.ReasonKafkaUnreachable, err)
		}
		return failure(v1alpha1.ReasonTopicsFailed, err)
	}
	if len(deleted) > 0 {
		r.event(t, corev1.EventTypeNormal, "TopicsDeleted", "Delete", "deleted %s", strings.Join(deleted, ", "))
	}
	return nil
}

// dropDatabases drops t's databases and roles, or keeps them when t says
// so.
func (r *TenantReconciler) dropDatabases(ctx context.Context, t *v1alpha1.Tenant) error {
	var names []string
	for _, svc := range r.Config.Services {
		names = append(names, postgres.For(t.Name, svc).Name)
	}
	names = union(t.Status.Databases, names)
	if t.Retain() {
		r.event(t, corev1.EventTypeNormal, "DatabasesRetained", "Delete", "kept %d databases and their roles (retainOnDelete)", len(names))
		return nil
	}
	dsn, err := r.adminDSN(ctx, t)
	if err != nil {
		return err
	}
	srv, err := r.databases.Server(dsn)
	if err != nil {
		return failure(v1alpha1.ReasonDatabaseFailed, err)
	}
	for _, name := range names {
		if err := srv.Drop(ctx, postgres.Named(name)); err != nil {
			if errors.Is(err, postgres.ErrUnreachable) {
				return failure(v1alpha1.ReasonDatabaseUnreachable, err)
			}
			return failure(v1alpha1.ReasonDatabaseFailed, err)
		}
	}
	r.event(t, corev1.EventTypeNormal, "DatabasesDropped", "Delete", "dropped %d databases and their roles", len(names))
	return nil
}

// union returns a's items followed by b's that a lacks.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
