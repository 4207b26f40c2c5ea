package controller

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/backup"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
)

// BackupFinalizer holds a TenantBackup until its objects are deleted from
// the store.
const BackupFinalizer = "crm.rapport.dev/backup"

// backupReconciler takes the backup a TenantBackup asks for, once: a
// Completed or Failed backup is never taken again.
type backupReconciler struct{ *TenantReconciler }

// The backup and restore controllers' permissions.
//
// +kubebuilder:rbac:groups=crm.rapport.dev,resources=tenantbackups;tenantrestores,verbs=get;list;watch;create;delete;patch
// +kubebuilder:rbac:groups=crm.rapport.dev,resources=tenantbackups/status;tenantrestores/status,verbs=get;patch
// +kubebuilder:rbac:groups=crm.rapport.dev,resources=tenantbackups/finalizers,verbs=update

// Reconcile takes the backup, or deletes its objects once it is deleted.
func (r backupReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var b v1alpha1.TenantBackup
	if err := r.Get(ctx, req.NamespacedName, &b); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !b.DeletionTimestamp.IsZero() {
		if !controllerutil.ContainsFinalizer(&b, BackupFinalizer) {
			return ctrl.Result{}, nil
		}
		if err := backup.Delete(ctx, r.bucket, b.Spec.Tenant, b.Name); err != nil {
			return ctrl.Result{}, err
		}
		patch := client.MergeFrom(b.DeepCopy())
		controllerutil.RemoveFinalizer(&b, BackupFinalizer)
		return ctrl.Result{}, r.Patch(ctx, &b, patch)
	}
	if !controllerutil.ContainsFinalizer(&b, BackupFinalizer) {
		patch := client.MergeFromWithOptions(b.DeepCopy(), client.MergeFromWithOptimisticLock{})
		controllerutil.AddFinalizer(&b, BackupFinalizer)
		if err := r.Patch(ctx, &b, patch); err != nil {
			return ctrl.Result{}, fmt.Errorf("add finalizer: %w", err)
		}
	}
	if b.Status.Phase == v1alpha1.BackupCompleted || b.Status.Phase == v1alpha1.BackupFailed {
		return ctrl.Result{}, nil
	}
	before := b.DeepCopy()
	b.Status = v1alpha1.TenantBackupStatus{
		Phase:     v1alpha1.BackupRunning,
		StartedAt: &metav1.Time{Time: time.Now().UTC()},
		Location:  backup.Prefix(b.Spec.Tenant, b.Name),
	}
	if err := r.patchBackup(ctx, &b, before); err != nil {
		return ctrl.Result{}, err
	}
	before = b.DeepCopy()
	m, err := r.take(ctx, &b)
	if err != nil {
		b.Status.Phase, b.Status.Error = v1alpha1.BackupFailed, err.Error()
		r.Recorder.Eventf(&b, nil, corev1.EventTypeWarning, "BackupFailed", "Backup", "%s", err.Error())
		return ctrl.Result{}, r.patchBackup(ctx, &b, before)
	}
	b.Status.Phase = v1alpha1.BackupCompleted
	b.Status.CompletedAt = &metav1.Time{Time: m.CompletedAt}
	for _, d := range m.Databases {
		b.Status.Databases = append(b.Status.Databases, v1alpha1.DatabaseBackup{
			Service: d.Service, Database: d.Database, Object: d.Object, Size: d.Size, SHA256: d.SHA256,
		})
	}
	r.Recorder.Eventf(&b, nil, corev1.EventTypeNormal, "BackupCompleted", "Backup", "%d databases in %s", len(m.Databases), b.Status.Location)
	return ctrl.Result{}, r.patchBackup(ctx, &b, before)
}

// take dumps each of the tenant's databases and writes the manifest. The
// consumer offsets are read first: every event before them is in the
// dumped inboxes, and an event after them that a dump already holds is
// skipped by the inbox when it is delivered again after a restore.
func (r backupReconciler) take(ctx context.Context, b *v1alpha1.TenantBackup) (backup.Manifest, error) {
	m := backup.Manifest{Version: backup.ManifestVersion, Tenant: b.Spec.Tenant, Backup: b.Name, StartedAt: b.Status.StartedAt.Time,
		TopicPrefix: events.TenantPrefix(b.Spec.Tenant)}
	var t v1alpha1.Tenant
	if err := r.Get(ctx, client.ObjectKey{Name: b.Spec.Tenant}, &t); err != nil {
		return m, fmt.Errorf("tenant %s: %w", b.Spec.Tenant, err)
	}
	if !t.Dedicated() || t.Spec.Database == nil {
		return m, fmt.Errorf("tenant %s is not dedicated: a shared-tier tenant is exported through the gateway", t.Name)
	}
	dsn, err := r.adminDSN(ctx, &t)
	if err != nil {
		return m, err
	}
	srv, err := r.databases.Server(dsn)
	if err != nil {
		return m, err
	}
	if m.Offsets, err = r.topics.Committed(ctx, Topics(t.Name, r.Config.Services)); err != nil {
		return m, err
	}
	for _, svc := range r.Config.Services {
		d := postgres.For(t.Name, svc)
		dump := backup.Dump{Service: svc, Database: d.Name, Object: backup.ObjectName(t.Name, b.Name, svc)}
		if dump.Migrations, err = migrations(ctx, srv.AdminURL(d.Name)); err != nil {
			return m, err
		}
		if dump.Size, dump.SHA256, err = r.tools.Dump(ctx, r.bucket, dump.Object, srv.AdminURL(d.Name)); err != nil {
			return m, err
		}
		m.Databases = append(m.Databases, dump)
	}
	m.CompletedAt = time.Now().UTC().Truncate(time.Second)
	return m, backup.WriteManifest(ctx, r.bucket, m)
}

// migrations reads the migration versions of the database at dsn.
func migrations(ctx context.Context, dsn string) (map[string]int64, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	v, err := backup.MigrationVersions(ctx, db)
	return v, errors.Join(err, db.Close())
}

// patchBackup writes b's status when it differs from before's.
func (r backupReconciler) patchBackup(ctx context.Context, b, before *v1alpha1.TenantBackup) error {
	if equality.Semantic.DeepEqual(before.Status, b.Status) {
		return nil
	}
	if err := r.Status().Patch(ctx, b, client.MergeFrom(before)); err != nil {
		return fmt.Errorf("backup status: %w", err)
	}
	return nil
}
