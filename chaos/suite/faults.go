package suite

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
)

// Injector is what the suite needs of the platform (chaos/platform's
// *Platform): faults by process name, and the broker and database
// restarts.
type Injector interface {
	Kill(ctx context.Context, name string) error
	Restart(ctx context.Context, name string) error
	Pause(ctx context.Context, name string) error
	Resume(ctx context.Context, name string) error
	RestartKafka(ctx context.Context) error
	RestartPostgres(ctx context.Context) error
}

// Fault is one fault of the suite: Inject does it (and undoes it: a
// killed process is restarted, a paused one resumed); Goal is the longest
// recovery the issue allows (0: none stated).
type Fault struct {
	Name   string
	Goal   time.Duration
	Inject func(ctx context.Context, p Injector) error
}

// KillRestart is SIGKILL of process name, then its restart after down.
func KillRestart(name string, down time.Duration) Fault {
	return Fault{Name: "SIGKILL " + name + " and restart it", Goal: 5 * time.Second, Inject: func(ctx context.Context, p Injector) error {
		if err := p.Kill(ctx, name); err != nil {
			return err
		}
		time.Sleep(down)
		return p.Restart(ctx, name)
	}}
}

// KafkaRestart restarts the broker on its data.
func KafkaRestart() Fault {
	return Fault{Name: "restart the Kafka broker", Goal: 15 * time.Second, Inject: func(ctx context.Context, p Injector) error {
		return p.RestartKafka(ctx)
	}}
}

// PostgresRestart shuts PostgreSQL down immediately and starts it again.
func PostgresRestart() Fault {
	return Fault{Name: "restart PostgreSQL (immediate shutdown)", Goal: 15 * time.Second, Inject: func(ctx context.Context, p Injector) error {
		return p.RestartPostgres(ctx)
	}}
}

// PauseConsumer stops process name (SIGSTOP) for d, longer than the
// consumers' session timeout (6 s), so that its group rebalances, then
// resumes it.
func PauseConsumer(name string, d time.Duration) Fault {
	return Fault{Name: fmt.Sprintf("pause %s for %s (past the 6 s session timeout)", name, d), Inject: func(ctx context.Context, p Injector) error {
		if err := p.Pause(ctx, name); err != nil {
			return err
		}
		time.Sleep(d)
		return p.Resume(ctx, name)
	}}
}

// Poison produces a malformed event (valid CloudEvents headers naming
// tenant, a body that is no JSON) to the contacts topic; its consumers
// must send it to rapport.contacts.v1.dlq and go on. It returns the
// event's id through id.
func Poison(brokers []string, tenant string, id *string) Fault {
	*id = ids.New()
	return Fault{Name: "poison event on rapport.contacts.v1", Inject: func(ctx context.Context, _ Injector) error {
		cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
		if err != nil {
			return err
		}
		defer cl.Close()
		rec := &kgo.Record{Topic: events.Topic("", "contacts"), Key: []byte(tenant), Value: []byte("{this is no event"),
			Headers: []kgo.RecordHeader{
				{Key: events.HeaderSpecVersion, Value: []byte(events.SpecVersion)},
				{Key: events.HeaderID, Value: []byte(*id)},
				{Key: events.HeaderSource, Value: []byte("/rapport/contacts")},
				{Key: events.HeaderType, Value: []byte("dev.rapport.contacts.contact.updated.v1")},
				{Key: events.HeaderSubject, Value: []byte(ids.New())},
				{Key: events.HeaderTime, Value: []byte(time.Now().UTC().Format(time.RFC3339Nano))},
				{Key: events.HeaderTenantID, Value: []byte(tenant)},
			}}
		return cl.ProduceSync(ctx, rec).FirstErr()
	}}
}
