package testkit

import (
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// kafkaClusters maps each listen address of a cluster KafkaCluster started
// to the cluster, while its test runs.
var kafkaClusters sync.Map // string → *kfake.Cluster

// rememberKafka makes c found by KafkaAt until t ends.
func rememberKafka(t testing.TB, c *kfake.Cluster) {
	addrs := c.ListenAddrs()
	for _, a := range addrs {
		kafkaClusters.Store(a, c)
	}
	t.Cleanup(func() {
		for _, a := range addrs {
			kafkaClusters.Delete(a)
		}
	})
}

// KafkaAt returns the cluster Kafka or KafkaCluster started listening on
// addr, for a test that was handed only the broker addresses; nil when no
// running test's cluster listens there.
func KafkaAt(addr string) *kfake.Cluster {
	c, _ := kafkaClusters.Load(addr)
	cl, _ := c.(*kfake.Cluster)
	return cl
}

// PauseProduce makes c hold every Produce request it receives, without
// answering, until resume is called: producers see a broker that has
// stopped answering writes (their requests wait, then time out if the pause
// outlasts their timeout), while fetches, offsets and group requests go on.
// Held requests are then handled as usual. Closing c also releases them.
func PauseProduce(c *kfake.Cluster) (resume func()) {
	resumed := make(chan struct{})
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		select {
		case <-resumed:
			c.DropControl()
		default:
			c.SleepControl(func() { <-resumed })
		}
		return nil, nil, false // handled as usual once awake
	})
	var once sync.Once
	return func() { once.Do(func() { close(resumed) }) }
}
