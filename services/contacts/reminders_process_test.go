package contacts_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// contactsBinary builds cmd/contacts into a directory of the test and
// returns its path; go's build cache makes a rebuild of unchanged code a
// link.
func contactsBinary(t *testing.T) string {
	t.Helper()
	root, err := proc.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := proc.Build(t.Context(), root, dir, "./services/contacts/cmd/contacts"); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "contacts")
}

// process starts the binary bin as another instance of e's service, in an
// OS process of its own, with its periodic jobs, and waits until it is
// ready. It is stopped when the test ends; its output is logged then if the
// test failed.
func (e *env) process(bin, name string) *proc.Process {
	e.t.Helper()
	addr, err := proc.FreeAddr()
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := proc.Start(proc.Config{Name: name, Path: bin, Env: []string{
		"SERVICE_NAME=" + e.cfg.Name, "HTTP_ADDR=" + addr,
		"DATABASE_URL=" + e.cfg.DatabaseURL, "DATABASE_MIGRATE_URL=" + e.cfg.MigrateURL,
		"KAFKA_BROKERS=" + strings.Join(e.cfg.Brokers, ","), "AUTH_JWKS_URL=" + e.cfg.JWKSURL,
		"CURSOR_KEY=" + string(e.cfg.CursorKey), "LOG_LEVEL=info",
	}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		p.Stop(10 * time.Second)
		if e.t.Failed() {
			e.t.Logf("%s's output ends:\n%s", name, p.Tail(4000))
		}
	})
	if err := p.WaitReady(context.Background(), "http://"+addr, time.Minute); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// kill ends p with SIGKILL, as a crash or an OOM kill does: no shutdown,
// transactions cut off where they were.
func (e *env) kill(p *proc.Process) {
	e.t.Helper()
	if err := syscall.Kill(-p.Pid(), syscall.SIGKILL); err != nil {
		e.t.Fatal(err)
	}
	<-p.Done()
}

// soonTasks plans n tasks of each tenant whose reminders fall due evenly
// over the coming span, straight in the database as dueTasks does.
func (e *env) soonTasks(n int, span time.Duration, tenants ...string) {
	e.t.Helper()
	for _, tenant := range tenants {
		_, err := e.admin.Exec(`WITH t AS (
				INSERT INTO activities (tenant_id, id, type, subject, assignee_id, occurred_at, reminder_at, status, priority,
					created_by, created_at, updated_at, version)
				SELECT $1, gen_random_uuid(), 'task', 'Soon ' || g, 'user', now(),
					now() + g * $3::bigint * interval '1 microsecond', 'open', 'normal', 'user', now(), now(), 1
				FROM generate_series(1, $2::int) g
				RETURNING tenant_id, id, reminder_at)
			INSERT INTO reminders (tenant_id, activity_id, due_at) SELECT tenant_id, id, reminder_at FROM t`,
			tenant, n, (span / time.Duration(n)).Microseconds())
		if err != nil {
			e.t.Fatal(err)
		}
	}
}

// firedCount returns how many reminders have fired and how many there are.
func (e *env) firedCount() (fired, total int) {
	e.t.Helper()
	if err := e.admin.QueryRow("SELECT count(fired_at), count(*) FROM reminders").Scan(&fired, &total); err != nil {
		e.t.Fatal(err)
	}
	return fired, total
}

// TestRemindersFireOnceAcrossProcesses is
// TestRemindersFireOnceAcrossReplicasAndRestarts with the real binary: two
// OS processes of cmd/contacts on one database and Kafka fire a backlog of
// due reminders and others falling due over the next seconds; one is
// killed with SIGKILL while they fire and a replacement started. Every
// reminder is published with one event id (the relay may publish an event
// twice after a kill, with its id, which consumers apply once), none is
// lost, and the schedule shows every one fired.
func TestRemindersFireOnceAcrossProcesses(t *testing.T) {
	e := newEnv(t)
	bin := contactsBinary(t)
	tenants := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
	a := e.process(bin, "contacts-a")
	e.process(bin, "contacts-b")

	const due, soon, span = 1000, 1000, 20 * time.Second
	e.dueTasks(due, tenants...)
	e.soonTasks(soon, span, tenants...)
	want := len(tenants) * (due + soon)
	// Kill A once the backlog has fired and the later reminders are firing.
	testkit.Eventually(t, time.Minute, "the backlog fires", func() (bool, string) {
		fired, _ := e.firedCount()
		return fired > len(tenants)*due, fmt.Sprintf("%d of %d fired", fired, want)
	})
	e.kill(a)
	firedAtKill, _ := e.firedCount()
	e.process(bin, "contacts-c")
	e.waitFired()
	t.Logf("A was killed with %d of %d reminders fired", firedAtKill, want)
	if firedAtKill == want {
		t.Errorf("every reminder had fired when A was killed: the kill came too late to test anything")
	}

	if fired, total := e.firedCount(); fired != want || total != want {
		t.Fatalf("%d of %d reminders fired, want %d", fired, total, want)
	}
	planned := map[string]bool{}
	var ids []string
	if err := e.admin.Select(&ids, "SELECT activity_id FROM reminders"); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		planned[id] = true
	}
	events := map[string]map[string]bool{} // activity → the ids of its reminder_due events
	records := 0
	for _, p := range e.published() {
		if eventShort(p.typ) != "activity.reminder_due" {
			continue
		}
		records++
		if !planned[p.subject] {
			t.Errorf("a reminder_due event for %s, which has no reminder", p.subject)
		}
		if events[p.subject] == nil {
			events[p.subject] = map[string]bool{}
		}
		events[p.subject][p.id] = true
	}
	missing, twice := 0, 0
	for id := range planned {
		switch len(events[id]) {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	if missing > 0 || twice > 0 {
		t.Errorf("of %d reminders, %d have no reminder_due event and %d fired more than once", want, missing, twice)
	}
	t.Logf("%d reminder_due records on the topic for %d reminders", records, len(events))
	validateEvents(t, e)
}
