package controller_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
	"github.com/rapport-crm/rapport/operator/internal/testenv"
)

// TestGeneratedRoleIsAllTheOperatorNeeds runs the operator as a user bound
// to config/rbac/role.yaml alone.
func TestGeneratedRoleIsAllTheOperatorNeeds(t *testing.T) {
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
	testkit.Eventually(t, waitFor, "events written by the restricted operator", func() (bool, string) {
		got := w.eventReasons(t, name)
		return slices.Contains(got, "PhaseReady"), fmt.Sprint(got)
	})
	w.remove(t, name)
	if d := postgres.For(name, "contacts").Name; w.databaseExists(t, d) {
		t.Errorf("database %s left after the deletion", d)
	}
}
