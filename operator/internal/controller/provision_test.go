package controller_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/controller"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
	"github.com/rapport-crm/rapport/operator/internal/testenv"
)

// TestDedicatedTenantsAreProvisionedAndIsolated makes two dedicated tenants
// and checks everything one is given, and that neither reaches the other.
func TestDedicatedTenantsAreProvisionedAndIsolated(t *testing.T) {
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
		w.get(t, ns, "sales", &dep)
		env = map[string]corev1.EnvVar{}
		for _, e := range dep.Spec.Template.Spec.Containers[0].Env {
			env[e.Name] = e
		}
		for name, want := range map[string]string{"CONTACTS_URL": "http://contacts." + ns + ".svc:8080", "GATEWAY_URL": w.gw.URL} {
			if got := env[name].Value; got != want {
				t.Errorf("sales Deployment %s = %q, want %q", name, got, want)
			}
		}
		if _, ok := env["SALES_URL"]; ok {
			t.Errorf("the sales Deployment has SALES_URL, its own")
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
		if gt.Slug != acme || gt.Tier != "dedicated" || gt.Status != gatewayadmin.StatusActive || !slices.Equal(gt.Domains, tn.Spec.Domains) || gt.Name != tn.Spec.DisplayName {
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
		testkit.Eventually(t, waitFor, "events of "+acme, func() (bool, string) {
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

// TestSharedTenantGetsOnlyTheGatewayRecord: a shared tenant has no
// namespace, database or topics of its own.
func TestSharedTenantGetsOnlyTheGatewayRecord(t *testing.T) {
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
	if err != nil || gt.Tier != "shared" || gt.Status != gatewayadmin.StatusActive {
		t.Errorf("gateway tenant = %+v, %v; want an active shared tenant", gt, err)
	}
}

// TestLostInvitationIsIssuedAgain plays an operator that created the gateway's
// tenant and stopped before keeping the invitation: the record exists, the
// Tenant's status does not name it and no invitation Secret exists. The
// operator adopts the record and keeps a new invitation, which lets the
// administrator in while the lost one no longer does.
func TestLostInvitationIsIssuedAgain(t *testing.T) {
	w.startOperator(t, nil)
	ctx := context.Background()
	name := uniqueName("lost")
	tn := shared(name)
	gt, lost, err := w.gwc.Create(ctx, gatewayadmin.NewTenant{Slug: name, Name: tn.Spec.DisplayName, Domains: tn.Spec.Domains,
		Tier: string(tn.Spec.Tier), Admin: gatewayadmin.Admin{Email: tn.Spec.Admin.Email}})
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
	const password = "a-long-enough-password-1"
	if _, err := w.gwc.Activate(ctx, lost.Token, password); !errors.Is(err, gatewayadmin.ErrRejected) {
		t.Errorf("the lost invitation: %v, want %v", err, gatewayadmin.ErrRejected)
	}
	if _, err := w.gwc.Activate(ctx, token, password); err != nil {
		t.Errorf("the kept invitation: %v", err)
	}
}
