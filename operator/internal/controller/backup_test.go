package controller_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	_ "gocloud.dev/blob/fileblob" // the backups' store in the tests

	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/controller"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
	"github.com/rapport-crm/rapport/operator/internal/testenv"
)

// timelineGroup is a consumer group of the contacts service's events.
const timelineGroup = "contacts-timeline"

// startBackups runs the operator with the backup controllers on a file
// bucket in a temporary directory, which it returns. When the test ends,
// every TenantRestore and TenantBackup is deleted (their objects with
// them) before the operator stops.
func (w *world) startBackups(t *testing.T) (store string) {
	t.Helper()
	store = t.TempDir()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	if len(dirs) == 0 {
		t.Fatal("no /usr/lib/postgresql/*/bin: install the PostgreSQL client programs")
	}
	w.startOperator(t, func(c *controller.Config) {
		c.BackupURL = "file://" + store
		c.PGBinDir = dirs[len(dirs)-1]
	})
	t.Cleanup(func() {
		ctx := context.Background()
		_ = w.c.DeleteAllOf(ctx, &v1alpha1.TenantRestore{})
		_ = w.c.DeleteAllOf(ctx, &v1alpha1.TenantBackup{})
		testkit.Eventually(t, waitFor, "every TenantBackup deleted", func() (bool, string) {
			var list v1alpha1.TenantBackupList
			err := w.c.List(ctx, &list)
			return err == nil && len(list.Items) == 0, fmt.Sprintf("%d left (%v)", len(list.Items), err)
		})
	})
	return store
}

// waitBackup waits until TenantBackup name reached phase and returns it.
func (w *world) waitBackup(t *testing.T, name string, phase v1alpha1.BackupPhase) *v1alpha1.TenantBackup {
	t.Helper()
	var b v1alpha1.TenantBackup
	testkit.Eventually(t, 2*waitFor, "backup "+name+" "+string(phase), func() (bool, string) {
		if err := w.c.Get(context.Background(), client.ObjectKey{Name: name}, &b); err != nil {
			return false, err.Error()
		}
		return b.Status.Phase == phase, fmt.Sprintf("phase %q error %q", b.Status.Phase, b.Status.Error)
	})
	return &b
}

// restoreInto makes a TenantRestore of backup into tenant with confirm
// and waits until it ended; it returns its Restored condition.
func (w *world) restoreInto(t *testing.T, backup, tenant, confirm string) (*v1alpha1.TenantRestore, *metav1.Condition) {
	t.Helper()
	rs := &v1alpha1.TenantRestore{
		ObjectMeta: metav1.ObjectMeta{Name: uniqueName("restore")},
		Spec:       v1alpha1.TenantRestoreSpec{Backup: backup, Tenant: tenant, Confirm: confirm},
	}
	w.mustCreate(t, rs)
	testkit.Eventually(t, 2*waitFor, "restore "+rs.Name+" ended", func() (bool, string) {
		if err := w.c.Get(context.Background(), client.ObjectKeyFromObject(rs), rs); err != nil {
			return false, err.Error()
		}
		c := meta.FindStatusCondition(rs.Status.Conditions, v1alpha1.ConditionRestored)
		return rs.Status.Phase == v1alpha1.BackupCompleted || rs.Status.Phase == v1alpha1.BackupFailed,
			fmt.Sprintf("phase %q condition %+v", rs.Status.Phase, c)
	})
	return rs, meta.FindStatusCondition(rs.Status.Conditions, v1alpha1.ConditionRestored)
}

// contactsDB returns the admin DSN of tenant's contacts database.
func (w *world) contactsDB(t *testing.T, tenant string) (dsn string, d postgres.Database) {
	t.Helper()
	pool := postgres.NewPool()
	t.Cleanup(func() { _ = pool.Close() })
	srv, err := pool.Server(w.pgAdmin)
	if err != nil {
		t.Fatal(err)
	}
	d = postgres.For(tenant, "contacts")
	return srv.AdminURL(d.Name), d
}

// commitOffset produces n events to topic and commits offset at for group
// on its partition 0, as a consumer that applied the first at would.
func (w *world) commitOffset(t *testing.T, topic string, n int, at int64) {
	t.Helper()
	ctx := context.Background()
	cl, err := kgo.NewClient(kgo.SeedBrokers(w.brokers...), kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range n {
		if err := cl.ProduceSync(ctx, &kgo.Record{Partition: 0, Value: fmt.Appendf(nil, `{"n":%d}`, i)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	var offs kadm.Offsets
	offs.Add(kadm.Offset{Topic: topic, Partition: 0, At: at, LeaderEpoch: -1})
	if err := kadm.NewClient(cl).CommitAllOffsets(ctx, timelineGroup, offs); err != nil {
		t.Fatal(err)
	}
}

// committed reads group timelineGroup's committed offset on topic's
// partition 0 (-1 when none).
func (w *world) committed(t *testing.T, topic string) int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(w.brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	res, err := kadm.NewClient(cl).FetchOffsetsForTopics(context.Background(), timelineGroup, topic)
	if err != nil {
		t.Fatal(err)
	}
	o, ok := res.Lookup(topic, 0)
	if !ok {
		return -1
	}
	return o.At
}

func snapshotOf(t *testing.T, dsn string) map[string]string {
	t.Helper()
	s, err := testenv.Snapshot(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTenantBackupAndRestore backs up a dedicated tenant with contacts,
// custom fields, relations and a consumer's offsets; restores it into a
// new tenant and, after the tenant changed, over it (refused without the
// confirmation); and compares every row of every table and the offsets
// with the original.
func TestTenantBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	store := w.startBackups(t)
	src := uniqueName("bk")
	w.mustCreate(t, dedicated(src))
	w.waitPhase(t, src, v1alpha1.PhaseReady)
	srcDSN, srcDB := w.contactsDB(t, src)
	const tenantID = "0b7e4c3a-2f1d-4e5c-8a9b-1c2d3e4f5a6b"
	if err := testenv.SeedContacts(ctx, srcDSN, srcDB.Owner, srcDB.App, tenantID, 300); err != nil {
		t.Fatal(err)
	}
	original := snapshotOf(t, srcDSN)
	srcTopic := controller.Topics(src, []string{"contacts"})[0]
	w.commitOffset(t, srcTopic, 5, 3)

	w.mustCreate(t, &v1alpha1.TenantBackup{ObjectMeta: metav1.ObjectMeta{Name: src + "-manual"}, Spec: v1alpha1.TenantBackupSpec{Tenant: src}})
	b := w.waitBackup(t, src+"-manual", v1alpha1.BackupCompleted)
	if len(b.Status.Databases) != 2 || b.Status.StartedAt == nil || b.Status.CompletedAt == nil {
		t.Fatalf("completed backup status %+v, want two databases and both times", b.Status)
	}
	for _, d := range b.Status.Databases {
		info, err := os.Stat(filepath.Join(store, d.Object))
		if err != nil || info.Size() != d.Size || len(d.SHA256) != 64 {
			t.Errorf("dump %s: %v (%v), want %d bytes with a SHA-256", d.Object, info, err, d.Size)
		}
	}
	manifest, err := os.ReadFile(filepath.Join(store, src, b.Name, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"version": 1`, `"` + timelineGroup + `"`, `"` + srcTopic + `"`, `"0": 3`, `"contacts": 19`} {
		if !bytes.Contains(manifest, []byte(want)) {
			t.Errorf("manifest lacks %s:\n%s", want, manifest)
		}
	}

	t.Run("into a new tenant", func(t *testing.T) {
		dst := uniqueName("rs")
		w.mustCreate(t, dedicated(dst))
		w.waitPhase(t, dst, v1alpha1.PhaseReady)
		_, c := w.restoreInto(t, b.Name, dst, "")
		if c == nil || c.Status != metav1.ConditionTrue {
			t.Fatalf("restore into %s: %+v", dst, c)
		}
		dstDSN, _ := w.contactsDB(t, dst)
		if got := snapshotOf(t, dstDSN); !reflect.DeepEqual(got, original) {
			t.Errorf("tenant %s's rows differ from %s's", dst, src)
		}
		dstTopic := controller.Topics(dst, []string{"contacts"})[0]
		if at := w.committed(t, dstTopic); at != 0 {
			t.Errorf("%s on %s at %d, want 0 (the end of the new tenant's topic)", timelineGroup, dstTopic, at)
		}
		if tn := w.waitPhase(t, dst, v1alpha1.PhaseReady); tn.Spec.Suspended {
			t.Errorf("tenant %s still suspended after the restore", dst)
		}
	})

	if err := testenv.AddContacts(ctx, srcDSN, tenantID, 300, 340); err != nil {
		t.Fatal(err)
	}
	changed := snapshotOf(t, srcDSN)
	w.commitOffset(t, srcTopic, 0, 5)

	t.Run("over the tenant without the confirmation", func(t *testing.T) {
		rs, c := w.restoreInto(t, b.Name, src, "")
		if rs.Status.Phase != v1alpha1.BackupFailed || c == nil || c.Reason != v1alpha1.ReasonConfirmationRequired {
			t.Fatalf("restore over %s without confirm: phase %s condition %+v, want Failed ConfirmationRequired", src, rs.Status.Phase, c)
		}
		if got := snapshotOf(t, srcDSN); !reflect.DeepEqual(got, changed) {
			t.Error("a refused restore changed the tenant's rows")
		}
		if tn := w.tenant(t, src); tn.Spec.Suspended {
			t.Error("a refused restore suspended the tenant")
		}
	})

	t.Run("over the tenant with the confirmation", func(t *testing.T) {
		_, c := w.restoreInto(t, b.Name, src, src)
		if c == nil || c.Status != metav1.ConditionTrue {
			t.Fatalf("restore over %s: %+v", src, c)
		}
		if got := snapshotOf(t, srcDSN); !reflect.DeepEqual(got, original) {
			t.Errorf("tenant %s's rows differ from its backup", src)
		}
		if at := w.committed(t, srcTopic); at != 3 {
			t.Errorf("%s on %s at %d after the restore, want 3 (the backup's)", timelineGroup, srcTopic, at)
		}
		if tn := w.waitPhase(t, src, v1alpha1.PhaseReady); tn.Spec.Suspended {
			t.Errorf("tenant %s still suspended after the restore", src)
		}
	})

	if err := w.c.Delete(ctx, b); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, waitFor, "backup objects deleted", func() (bool, string) {
		_, err := os.Stat(filepath.Join(store, src, b.Name, "manifest.json"))
		return os.IsNotExist(err), fmt.Sprint(err)
	})
}

// TestTenantBackupSchedule: a Tenant's schedule makes backups every
// interval and keeps the newest Keep completed ones, deleting the others
// with their objects.
func TestTenantBackupSchedule(t *testing.T) {
	ctx := context.Background()
	store := w.startBackups(t)
	name := uniqueName("sched")
	w.mustCreate(t, dedicated(name, func(tn *v1alpha1.Tenant) {
		tn.Spec.Backup = &v1alpha1.BackupSchedule{Every: metav1.Duration{Duration: time.Second}, Keep: 2}
	}))
	seen := map[string]bool{}
	testkit.Eventually(t, 3*waitFor, "four scheduled backups made, two kept", func() (bool, string) {
		var list v1alpha1.TenantBackupList
		if err := w.c.List(ctx, &list, client.MatchingLabels{controller.LabelTenant: name}); err != nil {
			return false, err.Error()
		}
		completed := 0
		for _, b := range list.Items {
			seen[b.Name] = true
			if b.Status.Phase == v1alpha1.BackupCompleted {
				completed++
			}
		}
		return len(seen) >= 4 && completed == 2, fmt.Sprintf("%d made, %d listed, %d completed", len(seen), len(list.Items), completed)
	})
	for b := range seen {
		err := w.c.Get(ctx, client.ObjectKey{Name: b}, &v1alpha1.TenantBackup{})
		if apierrors.IsNotFound(err) {
			if left, _ := filepath.Glob(filepath.Join(store, name, b, "*")); len(left) > 0 {
				t.Errorf("deleted backup %s left its objects: %v", b, left)
			}
		}
	}
	w.update(t, name, func(tn *v1alpha1.Tenant) { tn.Spec.Backup = nil })
}
