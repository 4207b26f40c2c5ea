package controller_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/controller"
	"github.com/rapport-crm/rapport/operator/internal/gateway"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
	"github.com/rapport-crm/rapport/operator/internal/testenv"
)

// TestOperator runs the operator against a real kube-apiserver and etcd,
// PostgreSQL, Kafka and gateway; each subtest starts its own manager.
func TestOperator(t *testing.T) {
	w := newWorld(t)
	t.Run("dedicated tenants are provisioned and isolated", w.testProvision)
	t.Run("a shared tenant gets only the gateway record", w.testShared)
	t.Run("suspend, resize, new version and deleted children", w.testLifecycle)
	t.Run("deletion drops the databases unless they are retained", w.testDeletion)
	t.Run("an invalid spec is refused by the API server", w.testInvalidSpecs)
	t.Run("a domain another tenant holds", w.testDomainConflict)
	t.Run("missing or unreachable dependencies are retried with back-off", w.testUnreachable)
	t.Run("a restarted operator redoes nothing", w.testRestart)
	t.Run("a gateway record created but not recorded is adopted, its invitation issued again", w.testAdoptLostInvitation)
	t.Run("the generated RBAC role is all the operator needs", w.testLeastPrivilege)
}

func (w *world) testProvision(t *testing.T) {
	w.startOperator(t, nil)
	acme, globex := uniqueName("acme"), uniqueName("globex")
	w.mustCreate(t, dedicated(acme, func(tn *v1alpha1.Tenant) {
		tn.Spec.Services = map[string]v1alpha1.ServiceSpec{"contacts": {Replicas: 3, MaxReplicas: ptr.To[int32](5)}}
	}))
	w.mustCreate(t, dedicated(globex))
	tn := w.waitPhase(t, acme, v1alpha1.PhaseReady)
	w.waitPhase(t, globex, v1alpha1.PhaseReady)
	ctx := context.Background()
	ns := controller.Namespace(acme)

	t.Run("conditions", func(t *testing.T) {
		for _, typ := range []string{v1alpha1.ConditionDatabases, v1alpha1.ConditionTopics, v1alpha1.ConditionWorkloads, v1alpha1.ConditionRegistered, v1alpha1.ConditionReady} {
			c := findCondition(tn, typ)
			if c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != tn.Generation || c.Reason == "" || c.Message == "" {
				t.Errorf("condition %s = %+v, want True with a reason and message for generation %d", typ, c, tn.Generation)
			}
		}
		if !slices.Contains(tn.Finalizers, controller.Finalizer) {
			t.Errorf("finalizers = %v, want %s", tn.Finalizers, controller.Finalizer)
		}
	})

	t.Run("namespace", func(t *testing.T) {
		var got corev1.Namespace
		if err := w.c.Get(ctx, client.ObjectKey{Name: ns}, &got); err != nil {
			t.Fatal(err)
		}
		if got.Labels[controller.LabelTenant] != acme || !ownedBy(&got, tn) {
			t.Errorf("namespace labels %v owners %v, want labelled and owned by %s", got.Labels, got.OwnerReferences, acme)
		}
	})

	t.Run("databases and roles", func(t *testing.T) {
		for _, svc := range []string{"contacts", "sales"} {
			d := postgres.For(acme, svc)
			if !w.databaseExists(t, d.Name) || !w.roleExists(t, d.Owner) || !w.roleExists(t, d.App) {
				t.Errorf("%s: database %v, roles %v %v; want all three", svc, w.databaseExists(t, d.Name), w.roleExists(t, d.Owner), w.roleExists(t, d.App))
			}
			sec := w.databaseSecret(t, acme, svc)
			u, err := url.Parse(string(sec.Data["DATABASE_URL"]))
			if err != nil {
				t.Fatal(err)
			}
			password, _ := u.User.Password()
			if u.User.Username() != d.App || strings.TrimPrefix(u.Path, "/") != d.Name || !testenv.PasswordIs(t, w.pgAdmin, d.App, password) {
				t.Errorf("%s: DATABASE_URL names %s on %s, want %s on %s with the role's password", svc, u.User.Username(), u.Path, d.App, d.Name)
			}
			if len(sec.Data["CURSOR_KEY"]) < 32 || len(sec.Data["DATABASE_MIGRATE_URL"]) == 0 {
				t.Errorf("%s: Secret keys %v, want DATABASE_MIGRATE_URL and a CURSOR_KEY of 32 bytes or more", svc, keys(sec.Data))
			}
		}
	})

	t.Run("one tenant's roles cannot enter another's database", func(t *testing.T) {
		mine, theirs := w.databaseSecret(t, acme, "contacts"), w.databaseSecret(t, globex, "contacts")
		other := postgres.For(globex, "contacts").Name
		tests := []struct {
			name   string
			url    string
			wantOK bool
		}{
			{"app role, own database", string(mine.Data["DATABASE_URL"]), true},
			{"owner role, own database", string(mine.Data["DATABASE_MIGRATE_URL"]), true},
			{"app role, other tenant's database", withDatabase(t, string(mine.Data["DATABASE_URL"]), other), false},
			{"owner role, other tenant's database", withDatabase(t, string(mine.Data["DATABASE_MIGRATE_URL"]), other), false},
			{"other tenant's app role, this database", withDatabase(t, string(theirs.Data["DATABASE_URL"]), postgres.For(acme, "contacts").Name), false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := connect(tt.url)
				if gotOK := err == nil; gotOK != tt.wantOK {
					t.Fatalf("connect: %v, want success %v", err, tt.wantOK)
				}
				if !tt.wantOK && !strings.Contains(err.Error(), "permission denied for database") {
					t.Errorf("connect: %v, want permission denied for database", err)
				}
			})
		}
	})

	t.Run("topics", func(t *testing.T) {
		want := controller.Topics(acme, []string{"contacts", "sales"})
		got := w.partitions(t, want...)
		for _, topic := range want {
			if got[topic] != 3 {
				t.Errorf("topic %s has %d partitions, want 3", topic, got[topic])
			}
		}
		if len(want) != 4 || want[0] != "t."+acme+".rapport.contacts.v1" {
			t.Errorf("topics = %v, want t.%s.rapport.<context>.v1 and .dlq for contacts and sales", want, acme)
		}
	})

	t.Run("workloads", func(t *testing.T) {
		var dep appsv1.Deployment
		w.get(t, ns, "contacts", &dep)
		c := dep.Spec.Template.Spec.Containers[0]
		env := map[string]corev1.EnvVar{}
		for _, e := range c.Env {
			env[e.Name] = e
		}
		checks := []struct {
			name      string
			got, want any
		}{
			{"replicas", *dep.Spec.Replicas, int32(3)},
			{"image", c.Image, "registry.example/rapport/contacts:1.0.0"},
			{"liveness probe", c.LivenessProbe.HTTPGet.Path, "/healthz"},
			{"readiness probe", c.ReadinessProbe.HTTPGet.Path, "/readyz"},
			{"topic prefix", env["TOPIC_PREFIX"].Value, "t." + acme + "."},
			{"database secret", env["DATABASE_URL"].ValueFrom.SecretKeyRef.Name, controller.DatabaseSecret("contacts")},
			{"consul tag", dep.Spec.Template.Annotations["consul.hashicorp.com/service-tags"], "tenant-" + acme},
			{"consul tag in the environment", env["CONSUL_SERVICE_TAGS"].Value, "tenant-" + acme},
			{"address to register", env["SERVICE_ADDRESS"].ValueFrom.FieldRef.FieldPath, "status.podIP"},
			{"cpu request", c.Resources.Requests.Cpu().String(), "100m"},
			{"service account", dep.Spec.Template.Spec.ServiceAccountName, "contacts"},
		}
		for _, ch := range checks {
			if ch.got != ch.want {
				t.Errorf("Deployment %s = %v, want %v", ch.name, ch.got, ch.want)
			}
		}
		var hpa autoscalingv2.HorizontalPodAutoscaler
		w.get(t, ns, "contacts", &hpa)
		if *hpa.Spec.MinReplicas != 3 || hpa.Spec.MaxReplicas != 5 {
			t.Errorf("HPA min %d max %d, want 3 and 5", *hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
		}
		var sales autoscalingv2.HorizontalPodAutoscaler
		w.get(t, ns, "sales", &sales)
		if *sales.Spec.MinReplicas != 2 || sales.Spec.MaxReplicas != 4 {
			t.Errorf("sales HPA min %d max %d, want the defaults 2 and 4", *sales.Spec.MinReplicas, sales.Spec.MaxReplicas)
		}
		var pdb policyv1.PodDisruptionBudget
		w.get(t, ns, "contacts", &pdb)
		if pdb.Spec.MaxUnavailable.IntValue() != 1 {
			t.Errorf("PDB maxUnavailable = %v, want 1", pdb.Spec.MaxUnavailable)
		}
		var np networkingv1.NetworkPolicy
		w.get(t, ns, "contacts", &np)
		from := np.Spec.Ingress[0].From
		if len(from) != 2 || from[0].NamespaceSelector.MatchLabels[corev1.LabelMetadataName] != gatewayNS ||
			from[0].PodSelector.MatchLabels["app.kubernetes.io/name"] != "gateway" || len(from[1].PodSelector.MatchLabels) != 0 || from[1].NamespaceSelector != nil {
			t.Errorf("NetworkPolicy ingress from %+v, want the gateway's pods and the namespace's own pods only", from)
		}
		var svc corev1.Service
		w.get(t, ns, "contacts", &svc)
		var sa corev1.ServiceAccount
		w.get(t, ns, "contacts", &sa)
		for _, obj := range []client.Object{&dep, &hpa, &pdb, &np, &svc, &sa} {
			if !ownedBy(obj, tn) {
				t.Errorf("%T %s is not owned by tenant %s", obj, obj.GetName(), acme)
			}
		}
	})

	t.Run("gateway record and invitation", func(t *testing.T) {
		gt, err := w.gwc.Get(ctx, tn.Status.GatewayID)
		if err != nil {
			t.Fatal(err)
		}
		if gt.Slug != acme || gt.Tier != "dedicated" || gt.Status != gateway.StatusActive || !slices.Equal(gt.Domains, tn.Spec.Domains) || gt.Name != tn.Spec.DisplayName {
			t.Errorf("gateway tenant = %+v, want an active dedicated %s with the spec's name and domains", gt, acme)
		}
		var inv corev1.Secret
		w.get(t, operatorNS, controller.InvitationSecret(acme), &inv)
		if string(inv.Data["email"]) != tn.Spec.Admin.Email || len(inv.Data["token"]) == 0 || !strings.Contains(string(inv.Data["link"]), string(inv.Data["token"])) {
			t.Errorf("invitation Secret keys %v, want email, token and the link carrying it", keys(inv.Data))
		}
	})

	t.Run("events", func(t *testing.T) {
		want := []string{"NamespaceCreated", "DatabasesCreated", "TopicsCreated", "WorkloadsApplied", "Registered", "PhaseReady"}
		eventually(t, "events of "+acme, func() (bool, string) {
			got := w.eventReasons(t, acme)
			for _, r := range want {
				if !slices.Contains(got, r) {
					return false, fmt.Sprintf("reasons %v, want %v among them", got, want)
				}
			}
			return true, ""
		})
	})

	t.Run("kubectl shows the columns", func(t *testing.T) {
		out := w.kubectl(t, "get", "tenants")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if header := strings.Fields(lines[0]); !slices.Equal(header, []string{"NAME", "TIER", "PHASE", "READY", "AGE"}) {
			t.Errorf("header = %v, want NAME TIER PHASE READY AGE\n%s", header, out)
		}
		row := regexp.MustCompile(`(?m)^` + acme + `\s+dedicated\s+Ready\s+True\s+\d+s\s*$`)
		if !row.MatchString(out) {
			t.Errorf("kubectl get tenants has no row `%s dedicated Ready True <age>`:\n%s", acme, out)
		}
		if short := w.kubectl(t, "get", "tnt", acme, "-o", "name"); strings.TrimSpace(short) != "tenant.crm.rapport.dev/"+acme {
			t.Errorf("kubectl get tnt %s -o name = %q, want tenant.crm.rapport.dev/%s", acme, short, acme)
		}
	})
}

func (w *world) testShared(t *testing.T) {
	w.startOperator(t, nil)
	name := uniqueName("small")
	w.mustCreate(t, shared(name))
	tn := w.waitPhase(t, name, v1alpha1.PhaseReady)
	for _, typ := range []string{v1alpha1.ConditionDatabases, v1alpha1.ConditionTopics, v1alpha1.ConditionWorkloads} {
		if c := findCondition(tn, typ); c == nil || c.Reason != v1alpha1.ReasonSharedTier || c.Status != metav1.ConditionTrue {
			t.Errorf("condition %s = %+v, want True (%s)", typ, c, v1alpha1.ReasonSharedTier)
		}
	}
	err := w.c.Get(context.Background(), client.ObjectKey{Name: controller.Namespace(name)}, &corev1.Namespace{})
	if !isNotFound(err) {
		t.Errorf("namespace %s: %v, want none", controller.Namespace(name), err)
	}
	if d := postgres.For(name, "contacts").Name; w.databaseExists(t, d) {
		t.Errorf("database %s exists, want none", d)
	}
	if got := w.partitions(t, controller.Topics(name, []string{"contacts"})...); len(got) != 0 {
		t.Errorf("topics %v, want none", got)
	}
	gt, err := w.gwc.FindBySlug(context.Background(), name)
	if err != nil || gt.Tier != "shared" || gt.Status != gateway.StatusActive {
		t.Errorf("gateway tenant = %+v, %v; want an active shared tenant", gt, err)
	}
}

func (w *world) testLifecycle(t *testing.T) {
	w.startOperator(t, nil)
	name := uniqueName("life")
	ns := controller.Namespace(name)
	w.mustCreate(t, dedicated(name))
	tn := w.waitPhase(t, name, v1alpha1.PhaseReady)
	ctx := context.Background()
	deployment := func() *appsv1.Deployment {
		var d appsv1.Deployment
		w.get(t, ns, "contacts", &d)
		return &d
	}

	t.Run("suspend scales to zero and the gateway refuses the tenant", func(t *testing.T) {
		w.update(t, name, func(tn *v1alpha1.Tenant) { tn.Spec.Suspended = true })
		got := w.waitPhase(t, name, v1alpha1.PhaseSuspended)
		if c := findCondition(got, v1alpha1.ConditionReady); c.Status != metav1.ConditionFalse || c.Reason != v1alpha1.ReasonSuspended {
			t.Errorf("Ready = %+v, want False (%s)", c, v1alpha1.ReasonSuspended)
		}
		for _, svc := range []string{"contacts", "sales"} {
			var d appsv1.Deployment
			w.get(t, ns, svc, &d)
			if *d.Spec.Replicas != 0 {
				t.Errorf("%s replicas = %d, want 0", svc, *d.Spec.Replicas)
			}
		}
		if gt, err := w.gwc.Get(ctx, tn.Status.GatewayID); err != nil || gt.Status != gateway.StatusSuspended {
			t.Errorf("gateway tenant = %+v, %v; want suspended", gt, err)
		}
	})

	t.Run("resume", func(t *testing.T) {
		w.update(t, name, func(tn *v1alpha1.Tenant) { tn.Spec.Suspended = false })
		w.waitPhase(t, name, v1alpha1.PhaseReady)
		if got := *deployment().Spec.Replicas; got != 2 {
			t.Errorf("replicas = %d, want 2", got)
		}
		if gt, err := w.gwc.Get(ctx, tn.Status.GatewayID); err != nil || gt.Status != gateway.StatusActive {
			t.Errorf("gateway tenant = %+v, %v; want active", gt, err)
		}
	})

	t.Run("replicas and version roll the workloads", func(t *testing.T) {
		before := deployment()
		w.update(t, name, func(tn *v1alpha1.Tenant) {
			tn.Spec.Version = "1.1.0"
			tn.Spec.Services = map[string]v1alpha1.ServiceSpec{"contacts": {Replicas: 4}}
		})
		w.waitPhase(t, name, v1alpha1.PhaseReady)
		after := deployment()
		if img := after.Spec.Template.Spec.Containers[0].Image; img != "registry.example/rapport/contacts:1.1.0" {
			t.Errorf("image = %s, want registry.example/rapport/contacts:1.1.0", img)
		}
		if *after.Spec.Replicas != 4 || after.Generation <= before.Generation {
			t.Errorf("replicas %d generation %d (was %d), want 4 and a new generation", *after.Spec.Replicas, after.Generation, before.Generation)
		}
		var hpa autoscalingv2.HorizontalPodAutoscaler
		w.get(t, ns, "contacts", &hpa)
		if *hpa.Spec.MinReplicas != 4 || hpa.Spec.MaxReplicas != 8 {
			t.Errorf("HPA min %d max %d, want 4 and 8", *hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
		}
	})

	t.Run("deleted children are recreated", func(t *testing.T) {
		objs := []client.Object{
			&appsv1.Deployment{}, &corev1.Service{}, &networkingv1.NetworkPolicy{},
			&autoscalingv2.HorizontalPodAutoscaler{}, &policyv1.PodDisruptionBudget{}, &corev1.ServiceAccount{},
		}
		for _, obj := range objs {
			w.get(t, ns, "sales", obj)
			old := obj.GetUID()
			if err := w.c.Delete(ctx, obj); err != nil {
				t.Fatal(err)
			}
			eventually(t, fmt.Sprintf("%T recreated", obj), func() (bool, string) {
				err := w.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "sales"}, obj)
				return err == nil && obj.GetUID() != old && obj.GetDeletionTimestamp().IsZero(), fmt.Sprint(err)
			})
		}
	})

	t.Run("a deleted database Secret comes back with new passwords set on the roles", func(t *testing.T) {
		sec := w.databaseSecret(t, name, "sales")
		if err := w.c.Delete(ctx, sec); err != nil {
			t.Fatal(err)
		}
		var fresh *corev1.Secret
		eventually(t, "database Secret recreated", func() (bool, string) {
			var s corev1.Secret
			err := w.c.Get(ctx, client.ObjectKeyFromObject(sec), &s)
			fresh = &s
			return err == nil && s.UID != sec.UID, fmt.Sprint(err)
		})
		d := postgres.For(name, "sales")
		for _, c := range []struct {
			key, role string
		}{{"DATABASE_URL", d.App}, {"DATABASE_MIGRATE_URL", d.Owner}} {
			u, err := url.Parse(string(fresh.Data[c.key]))
			if err != nil {
				t.Fatal(err)
			}
			password, _ := u.User.Password()
			old, _ := url.Parse(string(sec.Data[c.key]))
			oldPassword, _ := old.User.Password()
			if password == oldPassword || !testenv.PasswordIs(t, w.pgAdmin, c.role, password) {
				t.Errorf("%s: the new Secret's password is not new, or not the role's", c.key)
			}
		}
	})
}

func (w *world) testDeletion(t *testing.T) {
	w.startOperator(t, nil)
	tests := []struct {
		name      string
		retain    bool
		wantKeeps bool
	}{
		{"retained", true, true},
		{"dropped", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := uniqueName("del")
			w.mustCreate(t, dedicated(name, func(tn *v1alpha1.Tenant) { tn.Spec.Database.RetainOnDelete = ptr.To(tt.retain) }))
			tn := w.waitPhase(t, name, v1alpha1.PhaseReady)
			if tt.retain {
				t.Cleanup(func() {
					for _, svc := range []string{"contacts", "sales"} {
						w.dropDatabase(t, postgres.For(name, svc).Name)
					}
				})
			}
			w.remove(t, name)
			ctx := context.Background()
			for _, svc := range []string{"contacts", "sales"} {
				d := postgres.For(name, svc)
				if got := w.databaseExists(t, d.Name) && w.roleExists(t, d.App) && w.roleExists(t, d.Owner); got != tt.wantKeeps {
					t.Errorf("%s: database and roles kept = %v, want %v", svc, got, tt.wantKeeps)
				}
			}
			if got := w.partitions(t, controller.Topics(name, []string{"contacts", "sales"})...); len(got) != 0 {
				t.Errorf("topics left: %v", got)
			}
			if gt, err := w.gwc.Get(ctx, tn.Status.GatewayID); err != nil || gt.Status != gateway.StatusDeleted {
				t.Errorf("gateway tenant = %+v, %v; want deleted", gt, err)
			}
			var ns corev1.Namespace
			// envtest runs no namespace controller: the namespace stays
			// Terminating, which is what a cluster then finishes.
			if err := w.c.Get(ctx, client.ObjectKey{Name: controller.Namespace(name)}, &ns); err == nil && ns.DeletionTimestamp.IsZero() {
				t.Errorf("namespace %s is not being deleted", ns.Name)
			}
			if err := w.c.Get(ctx, client.ObjectKey{Namespace: operatorNS, Name: controller.InvitationSecret(name)}, &corev1.Secret{}); !isNotFound(err) {
				t.Errorf("invitation Secret: %v, want it gone", err)
			}
		})
	}
	t.Run("retried while the database is unreachable", func(t *testing.T) {
		name := uniqueName("del")
		secret := "pg-" + name
		w.putSecret(t, secret, w.pgAdmin)
		w.mustCreate(t, dedicated(name, func(tn *v1alpha1.Tenant) { tn.Spec.Database.Server.Name = secret }))
		w.waitPhase(t, name, v1alpha1.PhaseReady)
		w.putSecret(t, secret, "postgres://postgres@"+testkit.FreeAddr(t)+"/postgres?sslmode=disable&connect_timeout=2")
		if err := w.c.Delete(context.Background(), &v1alpha1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
			t.Fatal(err)
		}
		got := w.waitCondition(t, name, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonDatabaseUnreachable)
		if got.Status.Phase != v1alpha1.PhaseDeleting {
			t.Errorf("phase = %s, want %s", got.Status.Phase, v1alpha1.PhaseDeleting)
		}
		w.putSecret(t, secret, w.pgAdmin)
		if !w.gone(name, waitFor) {
			t.Fatalf("tenant %s not gone after the database came back", name)
		}
		if d := postgres.For(name, "contacts").Name; w.databaseExists(t, d) {
			t.Errorf("database %s left after the deletion", d)
		}
	})
}

func (w *world) testInvalidSpecs(t *testing.T) {
	ctx := context.Background()
	creates := []struct {
		name      string
		tenant    *v1alpha1.Tenant
		wantField string
	}{
		{"domain that is no DNS name", shared("bad-domain", func(tn *v1alpha1.Tenant) { tn.Spec.Domains = []string{"Not_A.Domain"} }), "spec.domains[0]"},
		{"replicas above the bound", dedicated("too-many", func(tn *v1alpha1.Tenant) {
			tn.Spec.Services = map[string]v1alpha1.ServiceSpec{"contacts": {Replicas: 21}}
		}), "spec.services.contacts.replicas"},
		{"replicas below the bound", dedicated("too-few", func(tn *v1alpha1.Tenant) {
			tn.Spec.Services = map[string]v1alpha1.ServiceSpec{"contacts": {Replicas: -1}}
		}), "spec.services.contacts.replicas"},
		{"autoscaler ceiling below replicas", dedicated("low-ceiling", func(tn *v1alpha1.Tenant) {
			tn.Spec.Services = map[string]v1alpha1.ServiceSpec{"contacts": {Replicas: 4, MaxReplicas: ptr.To[int32](2)}}
		}), "spec.services[contacts].maxReplicas"},
		{"unknown service", dedicated("billing", func(tn *v1alpha1.Tenant) {
			tn.Spec.Services = map[string]v1alpha1.ServiceSpec{"billing": {Replicas: 1}}
		}), "spec.services"},
		{"dedicated without a database", dedicated("no-db", func(tn *v1alpha1.Tenant) { tn.Spec.Database = nil }), "spec.database"},
		{"administrator without an email", shared("no-email", func(tn *v1alpha1.Tenant) { tn.Spec.Admin.Email = "nobody" }), "spec.admin.email"},
		{"name with a dot", shared("dot.name"), "metadata.name"},
		{"unknown tier", shared("tierless", func(tn *v1alpha1.Tenant) { tn.Spec.Tier = "premium" }), "spec.tier"},
	}
	for _, tt := range creates {
		t.Run(tt.name, func(t *testing.T) {
			err := w.c.Create(ctx, tt.tenant)
			if err == nil {
				_ = w.c.Delete(ctx, tt.tenant)
				t.Fatalf("create was accepted, want it refused naming %s", tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.wantField) {
				t.Errorf("error = %v, want it to name %s", err, tt.wantField)
			}
		})
	}

	// The operator does not run here: these tenants are never reconciled,
	// so they carry no finalizer and go at once.
	base := dedicated(uniqueName("fixed"))
	w.mustCreate(t, base)
	t.Cleanup(func() { _ = w.c.Delete(ctx, base) })
	updates := []struct {
		name      string
		change    func(*v1alpha1.Tenant)
		wantField string
	}{
		{"tier change", func(tn *v1alpha1.Tenant) { tn.Spec.Tier = v1alpha1.TierShared }, "spec.tier"},
		{"fewer partitions", func(tn *v1alpha1.Tenant) { tn.Spec.Kafka.Partitions = 2 }, "spec.kafka.partitions"},
		{"another replication factor", func(tn *v1alpha1.Tenant) { tn.Spec.Kafka.ReplicationFactor = 2 }, "spec.kafka.replicationFactor"},
	}
	for _, tt := range updates {
		t.Run(tt.name, func(t *testing.T) {
			tn := w.tenant(t, base.Name)
			tt.change(tn)
			err := w.c.Update(ctx, tn)
			if err == nil {
				t.Fatalf("update was accepted, want it refused naming %s", tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.wantField) {
				t.Errorf("error = %v, want it to name %s", err, tt.wantField)
			}
		})
	}
	t.Run("more partitions are accepted", func(t *testing.T) {
		tn := w.tenant(t, base.Name)
		tn.Spec.Kafka.Partitions = 12
		if err := w.c.Update(ctx, tn); err != nil {
			t.Errorf("update: %v", err)
		}
	})
}

func (w *world) testDomainConflict(t *testing.T) {
	w.startOperator(t, nil)
	holder, late := uniqueName("first"), uniqueName("late")
	domain := holder + ".example.org"
	w.mustCreate(t, shared(holder, func(tn *v1alpha1.Tenant) { tn.Spec.Domains = []string{domain} }))
	w.waitPhase(t, holder, v1alpha1.PhaseReady)
	w.mustCreate(t, dedicated(late, func(tn *v1alpha1.Tenant) { tn.Spec.Domains = []string{late + ".example.org", domain} }))

	tn := w.waitPhase(t, late, v1alpha1.PhaseFailed)
	ready := findCondition(tn, v1alpha1.ConditionReady)
	if ready.Reason != v1alpha1.ReasonDomainConflict || !strings.Contains(ready.Message, domain) || !strings.Contains(ready.Message, holder) {
		t.Errorf("Ready = %+v, want %s naming %s and %s", ready, v1alpha1.ReasonDomainConflict, domain, holder)
	}
	ctx := context.Background()
	t.Run("nothing is touched", func(t *testing.T) {
		if len(tn.Finalizers) != 0 {
			t.Errorf("finalizers = %v, want none", tn.Finalizers)
		}
		if err := w.c.Get(ctx, client.ObjectKey{Name: controller.Namespace(late)}, &corev1.Namespace{}); !isNotFound(err) {
			t.Errorf("namespace: %v, want none", err)
		}
		if d := postgres.For(late, "contacts"); w.databaseExists(t, d.Name) || w.roleExists(t, d.App) {
			t.Errorf("database or role %s exists, want none", d.Name)
		}
		if got := w.partitions(t, controller.Topics(late, []string{"contacts"})...); len(got) != 0 {
			t.Errorf("topics %v, want none", got)
		}
		if _, err := w.gwc.FindBySlug(ctx, late); !isNotFound(err) {
			t.Errorf("gateway: %v, want no tenant %s", err, late)
		}
	})
	t.Run("freed when the holder goes", func(t *testing.T) {
		w.remove(t, holder)
		w.waitPhase(t, late, v1alpha1.PhaseReady)
	})
}

func (w *world) testUnreachable(t *testing.T) {
	tests := []struct {
		name       string
		breakIt    func(t *testing.T, cfg *controller.Config, tn *v1alpha1.Tenant)
		condition  string
		wantReason string
		// healByRestart restarts the operator with the good configuration;
		// otherwise heal fixes the world under the running one.
		healByRestart bool
		heal          func(t *testing.T, tn *v1alpha1.Tenant)
	}{
		{
			name: "database",
			breakIt: func(t *testing.T, _ *controller.Config, tn *v1alpha1.Tenant) {
				w.putSecret(t, "pg-"+tn.Name, "postgres://postgres@"+testkit.FreeAddr(t)+"/postgres?sslmode=disable&connect_timeout=2")
				tn.Spec.Database.Server.Name = "pg-" + tn.Name
			},
			condition: v1alpha1.ConditionDatabases, wantReason: v1alpha1.ReasonDatabaseUnreachable,
			heal: func(t *testing.T, tn *v1alpha1.Tenant) { w.putSecret(t, "pg-"+tn.Name, w.pgAdmin) },
		},
		{
			name: "admin DSN Secret missing",
			breakIt: func(t *testing.T, _ *controller.Config, tn *v1alpha1.Tenant) {
				tn.Spec.Database.Server.Name = "pg-later-" + tn.Name
			},
			condition: v1alpha1.ConditionDatabases, wantReason: v1alpha1.ReasonSecretNotFound,
			heal: func(t *testing.T, tn *v1alpha1.Tenant) { w.putSecret(t, "pg-later-"+tn.Name, w.pgAdmin) },
		},
		{
			name: "kafka",
			breakIt: func(t *testing.T, cfg *controller.Config, _ *v1alpha1.Tenant) {
				cfg.KafkaBrokers = []string{testkit.FreeAddr(t)}
				cfg.StepTimeout = time.Second
			},
			condition: v1alpha1.ConditionTopics, wantReason: v1alpha1.ReasonKafkaUnreachable, healByRestart: true,
		},
		{
			name: "gateway",
			breakIt: func(t *testing.T, cfg *controller.Config, _ *v1alpha1.Tenant) {
				cfg.GatewayURL = "http://" + testkit.FreeAddr(t)
			},
			condition: v1alpha1.ConditionRegistered, wantReason: v1alpha1.ReasonGatewayUnreachable, healByRestart: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := uniqueName("down")
			tn := dedicated(name)
			stop := w.startOperator(t, func(cfg *controller.Config) { tt.breakIt(t, cfg, tn) })
			w.mustCreate(t, tn)
			got := w.waitCondition(t, name, tt.condition, metav1.ConditionFalse, tt.wantReason)
			if got.Status.Phase != v1alpha1.PhaseProvisioning {
				t.Errorf("phase = %s, want %s", got.Status.Phase, v1alpha1.PhaseProvisioning)
			}
			if c := findCondition(got, v1alpha1.ConditionReady); c == nil || c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, tt.condition) {
				t.Errorf("Ready = %+v, want False waiting for %s", c, tt.condition)
			}

			// Back-off: 100 ms doubling to 2 s gives a handful of attempts
			// in 3 s; a hot loop would give hundreds.
			before := reconciles(t, "error")
			time.Sleep(3 * time.Second)
			if n := reconciles(t, "error") - before; n < 1 || n > 15 {
				t.Errorf("%v failed reconciles in 3 s, want between 1 and 15 (retried with back-off)", n)
			}
			if reasons := w.eventReasons(t, name); !slices.Contains(reasons, tt.wantReason) {
				t.Errorf("event reasons %v, want %s among them", reasons, tt.wantReason)
			}

			if tt.healByRestart {
				stop()
				w.startOperator(t, nil)
			} else {
				tt.heal(t, tn)
			}
			w.waitPhase(t, name, v1alpha1.PhaseReady)
		})
	}
}

func (w *world) testRestart(t *testing.T) {
	stop := w.startOperator(t, nil)
	name := uniqueName("again")
	w.mustCreate(t, dedicated(name))
	w.waitPhase(t, name, v1alpha1.PhaseReady)
	ns := controller.Namespace(name)
	ctx := context.Background()
	children := func() map[string]string {
		out := map[string]string{}
		lists := []client.ObjectList{
			&corev1.SecretList{}, &corev1.ServiceAccountList{}, &corev1.ServiceList{}, &appsv1.DeploymentList{},
			&autoscalingv2.HorizontalPodAutoscalerList{}, &policyv1.PodDisruptionBudgetList{}, &networkingv1.NetworkPolicyList{},
		}
		for _, l := range lists {
			if err := w.c.List(ctx, l, client.InNamespace(ns)); err != nil {
				t.Fatal(err)
			}
			items, _ := metaItems(l)
			for _, o := range items {
				out[fmt.Sprintf("%T/%s", l, o.GetName())] = o.GetResourceVersion()
			}
		}
		return out
	}
	// The baseline is what the first operator left once it has stopped: a
	// pass it had under way when Ready was first seen may still write.
	stop()
	before := w.tenant(t, name)
	oldChildren := children()
	oldEvents := len(w.eventReasons(t, name))
	secret := w.databaseSecret(t, name, "contacts")

	// The new operator lists every Tenant at start and reconciles each.
	baseline := reconciles(t, "success")
	w.startOperator(t, nil)
	eventually(t, "the new operator reconciled", func() (bool, string) {
		return reconciles(t, "success") > baseline, "no successful reconcile yet"
	})
	time.Sleep(500 * time.Millisecond) // room for any write it would make

	after := w.tenant(t, name)
	if after.ResourceVersion != before.ResourceVersion {
		t.Errorf("tenant resourceVersion %s → %s: the restart rewrote it\n%s", before.ResourceVersion, after.ResourceVersion, describe(after))
	}
	if got := children(); !maps.Equal(got, oldChildren) {
		t.Errorf("children changed across the restart:\nbefore %v\nafter  %v", oldChildren, got)
	}
	if n := len(w.eventReasons(t, name)); n != oldEvents {
		t.Errorf("%d events after the restart, want the %d from before", n, oldEvents)
	}
	u, _ := url.Parse(string(secret.Data["DATABASE_URL"]))
	password, _ := u.User.Password()
	if !testenv.PasswordIs(t, w.pgAdmin, postgres.For(name, "contacts").App, password) {
		t.Errorf("the role's password changed across the restart")
	}
}

func (w *world) testLeastPrivilege(t *testing.T) {
	ctx := context.Background()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "operator", "config", "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var role rbacv1.ClusterRole
	if err := yaml.Unmarshal(b, &role); err != nil {
		t.Fatal(err)
	}
	const user = "rapport-operator-under-test"
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}
	for _, obj := range []client.Object{&role, binding} {
		w.mustCreate(t, obj)
		t.Cleanup(func() { _ = w.c.Delete(ctx, obj) })
	}
	u, err := w.env.AddUser(envtest.User{Name: user}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.startOperatorAs(t, u.Config(), nil)
	name := uniqueName("rbac")
	w.mustCreate(t, dedicated(name))
	w.waitPhase(t, name, v1alpha1.PhaseReady)
	eventually(t, "events written by the restricted operator", func() (bool, string) {
		got := w.eventReasons(t, name)
		return slices.Contains(got, "PhaseReady"), fmt.Sprint(got)
	})
	w.remove(t, name)
	if d := postgres.For(name, "contacts").Name; w.databaseExists(t, d) {
		t.Errorf("database %s left after the deletion", d)
	}
}

// kubectl runs kubectl against the test API server as a cluster admin.
func (w *world) kubectl(t *testing.T, args ...string) string {
	t.Helper()
	user, err := w.env.AddUser(envtest.User{Name: "kubectl", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", path}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// get reads the object name in namespace ns.
func (w *world) get(t *testing.T, ns, name string, obj client.Object) {
	t.Helper()
	if err := w.c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, obj); err != nil {
		t.Fatalf("get %T %s/%s: %v", obj, ns, name, err)
	}
}

// databaseSecret reads the database Secret of service svc of tenant.
func (w *world) databaseSecret(t *testing.T, tenant, svc string) *corev1.Secret {
	t.Helper()
	var s corev1.Secret
	w.get(t, controller.Namespace(tenant), controller.DatabaseSecret(svc), &s)
	return &s
}

func findCondition(tn *v1alpha1.Tenant, typ string) *metav1.Condition {
	for i := range tn.Status.Conditions {
		if tn.Status.Conditions[i].Type == typ {
			return &tn.Status.Conditions[i]
		}
	}
	return nil
}

// ownedBy reports whether tn is obj's controlling owner.
func ownedBy(obj client.Object, tn *v1alpha1.Tenant) bool {
	ref := metav1.GetControllerOf(obj)
	return ref != nil && ref.UID == tn.UID && ref.Kind == "Tenant"
}

// withDatabase rewrites a DSN to another database.
func withDatabase(t *testing.T, dsn, db string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db
	return u.String()
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// metaItems returns the items of a typed list as client.Objects.
func metaItems(l client.ObjectList) ([]client.Object, error) {
	objs, err := apimeta.ExtractList(l)
	if err != nil {
		return nil, err
	}
	out := make([]client.Object, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.(client.Object))
	}
	return out, nil
}

// testAdoptLostInvitation plays an operator that created the gateway's
// tenant and stopped before keeping the invitation: the record exists, the
// Tenant's status does not name it and no invitation Secret exists. The
// operator adopts the record and keeps a new invitation, which lets the
// administrator in while the lost one no longer does.
func (w *world) testAdoptLostInvitation(t *testing.T) {
	w.startOperator(t, nil)
	ctx := context.Background()
	name := uniqueName("lost")
	tn := shared(name)
	gt, lost, err := w.gwc.Create(ctx, gateway.NewTenant{Slug: name, Name: tn.Spec.DisplayName, Domains: tn.Spec.Domains,
		Tier: string(tn.Spec.Tier), Admin: gateway.Admin{Email: tn.Spec.Admin.Email}})
	if err != nil {
		t.Fatal(err)
	}
	w.mustCreate(t, tn)
	got := w.waitPhase(t, name, v1alpha1.PhaseReady)
	if got.Status.GatewayID != gt.ID {
		t.Errorf("status names gateway tenant %q, want the existing %q", got.Status.GatewayID, gt.ID)
	}
	var inv corev1.Secret
	w.get(t, operatorNS, controller.InvitationSecret(name), &inv)
	token := string(inv.Data["token"])
	if token == "" || token == lost.Token {
		t.Fatalf("invitation Secret token %q, want a new one", token)
	}
	accept := func(token string) int {
		body := strings.NewReader(`{"token":"` + token + `","password":"a-long-enough-password-1"}`)
		resp, err := http.Post(w.gw.URL+"/v1/auth/accept-invitation", "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := accept(lost.Token); got != http.StatusBadRequest {
		t.Errorf("the lost invitation answers %d, want 400", got)
	}
	if got := accept(token); got != http.StatusOK {
		t.Errorf("the kept invitation answers %d, want 200", got)
	}
}
