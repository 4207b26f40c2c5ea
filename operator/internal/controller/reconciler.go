// Package controller reconciles Tenant resources into running tenants
// (DESIGN §6): for a dedicated tenant a namespace, per service a database
// with its roles, topics, and the workloads; for every tenant its record in
// the gateway. Each step reports a condition; deletion runs through
// Finalizer.
package controller

import (
	"context"
	"errors"
	"fmt"

	"gocloud.dev/blob"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/backup"
	"github.com/rapport-crm/rapport/operator/internal/kafka"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
)

// Name is the controller's name: in logs, metrics and as the reporting
// controller of its Events.
const Name = "tenant"

// TenantReconciler reconciles Tenants.
type TenantReconciler struct {
	client.Client
	// APIReader reads what the cache does not hold: the admin DSN Secrets,
	// and Secrets the cache may not have caught up with.
	APIReader client.Reader
	Scheme    *runtime.Scheme
	Recorder  recorder.EventRecorder
	Config    Config

	databases *postgres.Pool
	topics    *kafka.Admin
	gateway   *gatewayadmin.Client
	bucket    *blob.Bucket // the backups' store; nil without BackupURL
	tools     backup.Tools
}

// NewScheme returns a scheme with the built-in kinds and Tenant.
func NewScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := v1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// Setup builds the reconciler's clients of PostgreSQL, Kafka and the
// gateway from cfg and registers the reconciler with mgr. Close the
// reconciler once the manager stopped.
func Setup(mgr ctrl.Manager, cfg Config) (*TenantReconciler, error) {
	topics, err := kafka.NewAdmin(cfg.KafkaBrokers)
	if err != nil {
		return nil, err
	}
	r := &TenantReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Scheme:    mgr.GetScheme(),
		Recorder:  mgr.GetEventRecorder("rapport-operator"),
		Config:    cfg,
		databases: postgres.NewPool(),
		topics:    topics,
		gateway:   gatewayadmin.New(cfg.GatewayURL, cfg.GatewayToken, cfg.StepTimeout),
		tools:     backup.Tools{BinDir: cfg.PGBinDir},
	}
	if err := r.setupWithManager(mgr); err != nil {
		return nil, errors.Join(err, r.Close())
	}
	if cfg.BackupURL == "" {
		return r, nil
	}
	if r.bucket, err = blob.OpenBucket(context.Background(), cfg.BackupURL); err != nil {
		return nil, errors.Join(fmt.Errorf("BACKUP_URL: %w", err), r.Close())
	}
	if err := r.setupBackups(mgr); err != nil {
		return nil, errors.Join(err, r.Close())
	}
	return r, nil
}

// Close releases the connections to PostgreSQL, Kafka and the backups'
// store.
func (r *TenantReconciler) Close() error {
	r.topics.Close()
	var err error
	if r.bucket != nil {
		err = r.bucket.Close()
	}
	return errors.Join(err, r.databases.Close())
}

// setupBackups registers the controllers of TenantBackups, of the Tenants'
// backup schedules and of TenantRestores.
func (r *TenantReconciler) setupBackups(mgr ctrl.Manager) error {
	opts := controller.Options{
		MaxConcurrentReconciles: r.Config.MaxConcurrentReconciles,
		RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](r.Config.RetryBaseDelay, r.Config.RetryMaxDelay),
	}
	err := ctrl.NewControllerManagedBy(mgr).Named("tenantbackup").WithOptions(opts).
		For(&v1alpha1.TenantBackup{}, builder.WithPredicates(specOrDeletionChanged)).
		Complete(backupReconciler{r})
	if err != nil {
		return err
	}
	err = ctrl.NewControllerManagedBy(mgr).Named("backupschedule").WithOptions(opts).
		For(&v1alpha1.Tenant{}, builder.WithPredicates(specOrDeletionChanged)).
		Watches(&v1alpha1.TenantBackup{}, handler.EnqueueRequestsFromMapFunc(scheduleOf)).
		Complete(scheduleReconciler{r})
	if err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).Named("tenantrestore").WithOptions(opts).
		For(&v1alpha1.TenantRestore{}, builder.WithPredicates(specOrDeletionChanged)).
		Complete(restoreReconciler{r})
}

// setupWithManager watches Tenants, the objects made for them (a deleted or
// changed one is put back), and Tenants whose domains may have been freed.
func (r *TenantReconciler) setupWithManager(mgr ctrl.Manager) error {
	b := ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		For(&v1alpha1.Tenant{}, builder.WithPredicates(specOrDeletionChanged)).
		// Who holds a domain depends on specs, creation and deletion only,
		// so the status writes of every pass need not list all Tenants.
		Watches(&v1alpha1.Tenant{}, handler.EnqueueRequestsFromMapFunc(r.domainRivals), builder.WithPredicates(specOrDeletionChanged)).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: r.Config.MaxConcurrentReconciles,
			RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](r.Config.RetryBaseDelay, r.Config.RetryMaxDelay),
		})
	for _, obj := range ownedKinds() {
		b = b.Owns(obj, builder.WithPredicates(predicate.GenerationChangedPredicate{}))
	}
	return b.Complete(r)
}

// The operator's permissions, generated into config/rbac/role.yaml: what it
// reads, writes and deletes, and no more. Secrets are cluster-wide because
// it writes them into every tenant's namespace; it lists only its own
// (CacheOptions) and reads an admin DSN Secret by name.
//
// +kubebuilder:rbac:groups=crm.rapport.dev,resources=tenants,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=crm.rapport.dev,resources=tenants/status,verbs=get;patch
// +kubebuilder:rbac:groups=crm.rapport.dev,resources=tenants/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=namespaces;secrets,verbs=get;list;watch;create;update;delete
// +kubebuilder:rbac:groups="",resources=serviceaccounts;services,verbs=get;list;watch;create;update
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update
// +kubebuilder:rbac:groups=autoscaling,resources=horizontalpodautoscalers,verbs=get;list;watch;create;update
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;update
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;update
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile brings one Tenant to its spec, or removes what it had once it
// is being deleted.
func (r *TenantReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var t v1alpha1.Tenant
	if err := r.Get(ctx, req.NamespacedName, &t); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !t.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, r.finalize(ctx, &t)
	}
	before := t.DeepCopy()
	domain, holder, err := r.domainHolder(ctx, &t)
	if err != nil {
		return ctrl.Result{}, err
	}
	if holder != "" {
		// Nothing is touched: no finalizer, no step, no retry until a
		// Tenant changes (see domainRivals).
		summarise(&t, permanentf(v1alpha1.ReasonDomainConflict, "domain %s is held by tenant %s", domain, holder))
		return ctrl.Result{}, r.patchStatus(ctx, &t, before)
	}
	if !controllerutil.ContainsFinalizer(&t, Finalizer) {
		patch := client.MergeFromWithOptions(t.DeepCopy(), client.MergeFromWithOptimisticLock{})
		controllerutil.AddFinalizer(&t, Finalizer)
		if err := r.Patch(ctx, &t, patch); err != nil {
			return ctrl.Result{}, fmt.Errorf("add finalizer: %w", err)
		}
		before = t.DeepCopy()
	}
	stepErr := r.provision(ctx, &t)
	failed := permanentIn(stepErr)
	if failed != nil {
		stepErr = nil // phase Failed: nothing is retried until the Tenant changes
	}
	summarise(&t, failed)
	if err := r.patchStatus(ctx, &t, before); err != nil {
		return ctrl.Result{}, errors.Join(stepErr, err)
	}
	return ctrl.Result{}, stepErr
}

// provision runs the steps for t, each setting its condition, and returns
// what failed. Steps that do not depend on each other all run, so one
// unreachable dependency does not hide the state of the others.
func (r *TenantReconciler) provision(ctx context.Context, t *v1alpha1.Tenant) error {
	if !t.Dedicated() {
		for _, c := range []string{v1alpha1.ConditionDatabases, v1alpha1.ConditionTopics, v1alpha1.ConditionWorkloads} {
			setCondition(t, c, true, v1alpha1.ReasonSharedTier, "a shared-tier tenant lives in the shared services")
		}
		return r.step(ctx, t, v1alpha1.ConditionRegistered, r.register)
	}
	var errs []error
	nsErr := r.ensureNamespace(ctx, t)
	if nsErr != nil {
		r.event(t, corev1.EventTypeWarning, reasonOf(nsErr, v1alpha1.ReasonNamespaceFailed), "Provision", "%s", nsErr.Error())
		for _, c := range []string{v1alpha1.ConditionDatabases, v1alpha1.ConditionWorkloads} {
			setCondition(t, c, false, reasonOf(nsErr, v1alpha1.ReasonNamespaceFailed), nsErr.Error())
		}
		errs = append(errs, nsErr)
	}
	var dbErr error
	if nsErr == nil {
		dbErr = r.step(ctx, t, v1alpha1.ConditionDatabases, r.ensureDatabases)
	}
	topicErr := r.step(ctx, t, v1alpha1.ConditionTopics, r.ensureTopics)
	switch {
	case nsErr != nil:
	case dbErr != nil || topicErr != nil:
		setCondition(t, v1alpha1.ConditionWorkloads, false, v1alpha1.ReasonStepsPending, "waiting for DatabasesReady and TopicsReady")
	default:
		errs = append(errs, r.step(ctx, t, v1alpha1.ConditionWorkloads, r.ensureWorkloads))
	}
	errs = append(errs, dbErr, topicErr, r.step(ctx, t, v1alpha1.ConditionRegistered, r.register))
	return errors.Join(errs...)
}

// step runs fn with the step timeout and records its outcome as condition
// typ: True with fn's message, or False with the failure's reason and a
// Warning Event.
func (r *TenantReconciler) step(ctx context.Context, t *v1alpha1.Tenant, typ string, fn func(context.Context, *v1alpha1.Tenant) (string, error)) error {
	ctx, cancel := context.WithTimeout(ctx, r.Config.StepTimeout)
	defer cancel()
	msg, err := fn(ctx, t)
	if err != nil {
		reason := reasonOf(err, fallbackReasons[typ])
		setCondition(t, typ, false, reason, err.Error())
		r.event(t, corev1.EventTypeWarning, reason, "Provision", "%s", err.Error())
		return err
	}
	setCondition(t, typ, true, v1alpha1.ReasonProvisioned, msg)
	return nil
}

// fallbackReasons name a step's failure when its error carries no reason.
var fallbackReasons = map[string]string{
	v1alpha1.ConditionDatabases:  v1alpha1.ReasonDatabaseFailed,
	v1alpha1.ConditionTopics:     v1alpha1.ReasonTopicsFailed,
	v1alpha1.ConditionWorkloads:  v1alpha1.ReasonWorkloadsFailed,
	v1alpha1.ConditionRegistered: v1alpha1.ReasonGatewayRejected,
}
