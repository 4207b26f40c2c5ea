package controller

import (
	"context"
	"fmt"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
)

// LabelScheduled marks the TenantBackups a Tenant's schedule made; only
// those are subject to its retention.
const LabelScheduled = "crm.rapport.dev/scheduled"

// defaultKeep is how many scheduled backups are kept when spec.backup.keep
// is not set (the CRD defaults it to the same).
const defaultKeep = 7

// scheduleReconciler makes a Tenant's scheduled TenantBackups and deletes
// those past its retention.
type scheduleReconciler struct{ *TenantReconciler }

// Reconcile applies retention to tenant req's scheduled backups, makes one
// when the last ended and is older than the interval, and comes back when
// the next is due.
func (r scheduleReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var t v1alpha1.Tenant
	if err := r.Get(ctx, req.NamespacedName, &t); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := t.Spec.Backup
	if s == nil || !t.Dedicated() || !t.DeletionTimestamp.IsZero() || s.Every.Duration <= 0 {
		return ctrl.Result{}, nil
	}
	var list v1alpha1.TenantBackupList
	if err := r.List(ctx, &list, client.MatchingLabels{LabelTenant: t.Name, LabelScheduled: "true"}); err != nil {
		return ctrl.Result{}, err
	}
	backups := list.Items
	slices.SortFunc(backups, func(a, b v1alpha1.TenantBackup) int { // newest first
		return b.CreationTimestamp.Compare(a.CreationTimestamp.Time)
	})
	now := time.Now()
	for _, b := range expired(backups, s, now) {
		if err := r.Delete(ctx, &b); client.IgnoreNotFound(err) != nil {
			return ctrl.Result{}, fmt.Errorf("delete backup %s: %w", b.Name, err)
		}
	}
	next := s.Every.Duration
	if len(backups) > 0 {
		newest := backups[0]
		if newest.Status.Phase != v1alpha1.BackupCompleted && newest.Status.Phase != v1alpha1.BackupFailed {
			// One at a time: its end (watched) brings the tenant back.
			return ctrl.Result{}, nil
		}
		if since := now.Sub(newest.CreationTimestamp.Time); since < next {
			return ctrl.Result{RequeueAfter: next - since}, nil
		}
	}
	b := &v1alpha1.TenantBackup{
		ObjectMeta: metav1.ObjectMeta{
			Name:   t.Name + "-" + now.UTC().Format("20060102-150405"),
			Labels: map[string]string{LabelTenant: t.Name, LabelScheduled: "true", LabelManagedBy: ManagedBy},
		},
		Spec: v1alpha1.TenantBackupSpec{Tenant: t.Name},
	}
	if err := r.Create(ctx, b); client.IgnoreAlreadyExists(err) != nil {
		return ctrl.Result{}, fmt.Errorf("create backup %s: %w", b.Name, err)
	}
	return ctrl.Result{RequeueAfter: next}, nil
}

// expired returns the backups (newest first) that retention deletes: the
// completed ones beyond Keep, those older than MaxAge except the newest
// completed one, and failed ones older than a completed one.
func expired(backups []v1alpha1.TenantBackup, s *v1alpha1.BackupSchedule, now time.Time) []v1alpha1.TenantBackup {
	keep := int(s.Keep)
	if keep <= 0 {
		keep = defaultKeep
	}
	var out []v1alpha1.TenantBackup
	completed := 0
	for _, b := range backups {
		switch b.Status.Phase {
		case v1alpha1.BackupCompleted:
			completed++
			old := s.MaxAge != nil && now.Sub(b.CreationTimestamp.Time) > s.MaxAge.Duration
			if completed > keep || (old && completed > 1) {
				out = append(out, b)
			}
		case v1alpha1.BackupFailed:
			if completed > 0 {
				out = append(out, b)
			}
		}
	}
	return out
}

// scheduleOf maps a TenantBackup to the Tenant whose schedule made it.
func scheduleOf(_ context.Context, obj client.Object) []ctrl.Request {
	if obj.GetLabels()[LabelScheduled] != "true" {
		return nil
	}
	return []ctrl.Request{{NamespacedName: client.ObjectKey{Name: obj.GetLabels()[LabelTenant]}}}
}
