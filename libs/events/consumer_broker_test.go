package events

import (
	"bytes"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// lockedBuffer is a log destination safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestConsumerSurvivesABrokerRestart: the broker closes under a running
// consumer and comes back on its data; the consumer joins its group again
// and applies the next event, and Run never failed.
func TestConsumerSurvivesABrokerRestart(t *testing.T) {
	topic := Topic("", "test")
	port := testkit.FreePort(t)
	opts := []kfake.Opt{kfake.Ports(port), kfake.DataDir(t.TempDir()), kfake.SeedTopics(3, topic, DLQ(topic))}
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Close() })
	f := newConsumerFixtureOn(t, []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}, topic)
	var calls atomic.Int64
	var log lockedBuffer
	stop := f.run(t, ConsumerConfig{Handler: f.recordEffect(&calls)}, func(c *Consumer) {
		c.cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
	})
	f.publish(t, "dev.rapport.test.thing.created.v1")
	f.waitEffects(t, 1, "the first event applied")

	cluster.Close()
	testkit.Eventually(t, 30*time.Second, "the consumer saw the broker go", func() (bool, string) {
		return strings.Contains(log.String(), "joining the group again"), log.String()
	})
	if cluster, err = kfake.NewCluster(opts...); err != nil {
		t.Fatal(err)
	}
	f.publish(t, "dev.rapport.test.thing.created.v1")
	f.waitEffects(t, 2, "the event after the restart applied")
	if err := stop(); err != nil {
		t.Errorf("Run: %v, want nil after a clean stop", err)
	}
}
