package controller

import (
	"context"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/backup"
	"github.com/rapport-crm/rapport/operator/internal/kafka"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
)

// restorePoll is how soon a restore looks again at what it waits for: the
// backup to complete, the tenant's databases, its workloads to stop.
const restorePoll = time.Second

// restoreReconciler runs TenantRestores: suspend the tenant (its workloads
// scale to zero), restore each database, set the consumer offsets, resume.
type restoreReconciler struct{ *TenantReconciler }

// Reconcile advances one TenantRestore and writes its status.
func (r restoreReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var rs v1alpha1.TenantRestore
	if err := r.Get(ctx, req.NamespacedName, &rs); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if rs.Status.Phase == v1alpha1.BackupCompleted || rs.Status.Phase == v1alpha1.BackupFailed || !rs.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	before := rs.DeepCopy()
	res, err := r.advance(ctx, &rs, before)
	if !equality.Semantic.DeepEqual(before.Status, rs.Status) {
		if perr := r.Status().Patch(ctx, &rs, client.MergeFrom(before)); perr != nil && err == nil {
			err = fmt.Errorf("restore status: %w", perr)
		}
	}
	return res, err
}

// advance does the next step of rs, recording it in rs's status.
// before is rs as read, for the status written before the tenant is
// suspended.
func (r restoreReconciler) advance(ctx context.Context, rs *v1alpha1.TenantRestore, before *v1alpha1.TenantRestore) (ctrl.Result, error) {
	var b v1alpha1.TenantBackup
	if err := r.Get(ctx, client.ObjectKey{Name: rs.Spec.Backup}, &b); err != nil {
		if apierrors.IsNotFound(err) {
			return r.refuse(rs, v1alpha1.ReasonBackupNotFound, "TenantBackup %s not found", rs.Spec.Backup)
		}
		return ctrl.Result{}, err
	}
	switch b.Status.Phase {
	case v1alpha1.BackupCompleted:
	case v1alpha1.BackupFailed:
		return r.refuse(rs, v1alpha1.ReasonBackupNotCompleted, "TenantBackup %s failed: %s", b.Name, b.Status.Error)
	default:
		restoreCondition(rs, false, v1alpha1.ReasonBackupNotCompleted, "waiting for TenantBackup "+b.Name+" to complete")
		return ctrl.Result{RequeueAfter: restorePoll}, nil
	}
	var t v1alpha1.Tenant
	if err := r.Get(ctx, client.ObjectKey{Name: rs.Spec.Tenant}, &t); err != nil {
		if apierrors.IsNotFound(err) {
			return r.refuse(rs, v1alpha1.ReasonTenantNotDedicated, "Tenant %s not found", rs.Spec.Tenant)
		}
		return ctrl.Result{}, err
	}
	if !t.Dedicated() || t.Spec.Database == nil {
		return r.refuse(rs, v1alpha1.ReasonTenantNotDedicated, "Tenant %s is not dedicated: only a dedicated tenant's databases are restored", t.Name)
	}
	if t.Name == b.Spec.Tenant && rs.Spec.Confirm != t.Name {
		return r.refuse(rs, v1alpha1.ReasonConfirmationRequired,
			"restoring over tenant %s replaces its data: spec.confirm must be %q (make a new TenantRestore)", t.Name, t.Name)
	}
	if !meta.IsStatusConditionTrue(t.Status.Conditions, v1alpha1.ConditionDatabases) {
		restoreCondition(rs, false, v1alpha1.ReasonRestoring, "waiting for tenant "+t.Name+"'s databases (DatabasesReady)")
		return ctrl.Result{RequeueAfter: restorePoll}, nil
	}
	if rs.Status.StartedAt == nil {
		// Recorded before the tenant is suspended, so a restarted operator
		// knows whether to resume it.
		rs.Status.Phase = v1alpha1.BackupRunning
		rs.Status.StartedAt = &metav1.Time{Time: time.Now().UTC()}
		rs.Status.WasSuspended = t.Spec.Suspended
		restoreCondition(rs, false, v1alpha1.ReasonRestoring, "suspending tenant "+t.Name)
		if err := r.Status().Patch(ctx, rs, client.MergeFrom(before)); err != nil {
			return ctrl.Result{}, fmt.Errorf("restore status: %w", err)
		}
	}
	if err := r.suspend(ctx, &t, true); err != nil {
		return ctrl.Result{}, err
	}
	stopped, err := r.stopped(ctx, &t)
	if err != nil || !stopped {
		restoreCondition(rs, false, v1alpha1.ReasonRestoring, "waiting for tenant "+t.Name+"'s workloads to stop")
		return ctrl.Result{RequeueAfter: restorePoll}, err
	}
	restoreErr := r.restore(ctx, &b, &t)
	if err := r.suspend(ctx, &t, rs.Status.WasSuspended); err != nil {
		return ctrl.Result{}, err
	}
	rs.Status.CompletedAt = &metav1.Time{Time: time.Now().UTC()}
	if restoreErr != nil {
		rs.Status.Phase = v1alpha1.BackupFailed
		restoreCondition(rs, false, v1alpha1.ReasonRestoreFailed, restoreErr.Error())
		r.Recorder.Eventf(rs, nil, corev1.EventTypeWarning, v1alpha1.ReasonRestoreFailed, "Restore", "%s", restoreErr.Error())
		return ctrl.Result{}, nil
	}
	rs.Status.Phase = v1alpha1.BackupCompleted
	restoreCondition(rs, true, v1alpha1.ReasonRestored, fmt.Sprintf("TenantBackup %s restored into tenant %s", b.Name, t.Name))
	r.Recorder.Eventf(rs, nil, corev1.EventTypeNormal, v1alpha1.ReasonRestored, "Restore", "TenantBackup %s restored into tenant %s", b.Name, t.Name)
	return ctrl.Result{}, nil
}

// refuse ends rs with reason: its spec cannot change, so it is not retried.
func (r restoreReconciler) refuse(rs *v1alpha1.TenantRestore, reason, format string, args ...any) (ctrl.Result, error) {
	rs.Status.Phase = v1alpha1.BackupFailed
	restoreCondition(rs, false, reason, fmt.Sprintf(format, args...))
	r.Recorder.Eventf(rs, nil, corev1.EventTypeWarning, reason, "Restore", format, args...)
	return ctrl.Result{}, nil
}

// restoreCondition sets rs's Restored condition.
func restoreCondition(rs *v1alpha1.TenantRestore, ok bool, reason, message string) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&rs.Status.Conditions, metav1.Condition{
		Type: v1alpha1.ConditionRestored, Status: status, Reason: reason, Message: message, ObservedGeneration: rs.Generation,
	})
}

// suspend sets t's spec.suspended to on unless it is so already; the tenant
// controller then scales its workloads.
func (r restoreReconciler) suspend(ctx context.Context, t *v1alpha1.Tenant, on bool) error {
	if t.Spec.Suspended == on {
		return nil
	}
	patch := client.MergeFromWithOptions(t.DeepCopy(), client.MergeFromWithOptimisticLock{})
	t.Spec.Suspended = on
	if err := r.Patch(ctx, t, patch); err != nil {
		return fmt.Errorf("suspended=%t on tenant %s: %w", on, t.Name, err)
	}
	return nil
}

// stopped reports whether t is suspended as its spec now says and none of
// its Deployments has a pod left.
func (r restoreReconciler) stopped(ctx context.Context, t *v1alpha1.Tenant) (bool, error) {
	if t.Status.Phase != v1alpha1.PhaseSuspended || t.Status.ObservedGeneration != t.Generation {
		return false, nil
	}
	var deps appsv1.DeploymentList
	if err := r.List(ctx, &deps, client.InNamespace(Namespace(t.Name)), client.MatchingLabels{LabelTenant: t.Name}); err != nil {
		return false, err
	}
	for _, d := range deps.Items {
		if d.Spec.Replicas == nil || *d.Spec.Replicas != 0 || d.Status.Replicas != 0 {
			return false, nil
		}
	}
	return true, nil
}

// restore loads each dump of backup b into t's database of the same
// service, then sets t's consumer offsets.
//
// Over the backup's own tenant the consumer groups are set to the offsets
// the backup recorded before its dumps: every event before them is in the
// restored inboxes, and those after them are delivered again, where the
// inbox skips what the dumps already held. So no event is applied twice
// and none is skipped.
//
// Into another tenant the events of the backup's topics are not the new
// tenant's: its groups start at the end of its own topics, and the
// restored outboxes publish what they had not published yet.
func (r restoreReconciler) restore(ctx context.Context, b *v1alpha1.TenantBackup, t *v1alpha1.Tenant) error {
	m, err := backup.ReadManifest(ctx, r.bucket, b.Spec.Tenant, b.Name)
	if err != nil {
		return err
	}
	dsn, err := r.adminDSN(ctx, t)
	if err != nil {
		return err
	}
	srv, err := r.databases.Server(dsn)
	if err != nil {
		return err
	}
	for _, dump := range m.Databases {
		d := postgres.For(t.Name, dump.Service)
		if err := r.tools.Restore(ctx, r.bucket, dump, backup.Target{DSN: srv.AdminURL(d.Name), Owner: d.Owner, App: d.App}); err != nil {
			return fmt.Errorf("%s: %w", dump.Service, err)
		}
	}
	offsets := kafka.GroupOffsets(m.Offsets)
	if t.Name != m.Tenant {
		if offsets, err = r.endsFor(ctx, m, t.Name); err != nil {
			return err
		}
	}
	return r.topics.Commit(ctx, offsets)
}

// endsFor maps the groups of m to tenant's topics, at their ends.
func (r restoreReconciler) endsFor(ctx context.Context, m backup.Manifest, tenant string) (kafka.GroupOffsets, error) {
	prefix := events.TenantPrefix(tenant)
	var topics []string
	for _, byTopic := range m.Offsets {
		for topic := range byTopic {
			topics = append(topics, prefix+strings.TrimPrefix(topic, m.TopicPrefix))
		}
	}
	if len(topics) == 0 {
		return nil, nil
	}
	ends, err := r.topics.Ends(ctx, topics)
	if err != nil {
		return nil, err
	}
	out := kafka.GroupOffsets{}
	for group, byTopic := range m.Offsets {
		out[group] = map[string]map[int32]int64{}
		for topic := range byTopic {
			mapped := prefix + strings.TrimPrefix(topic, m.TopicPrefix)
			out[group][mapped] = ends[mapped]
		}
	}
	return out, nil
}
