package stack

import (
	"testing"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// PauseKafka makes the stack's broker hold every write (Produce) without
// answering until resume is called, as a stalled broker would; reads and
// consumer groups go on. Resume is also called when the test ends.
func (s *Stack) PauseKafka(t testing.TB) (resume func()) {
	t.Helper()
	c := testkit.KafkaAt(s.Brokers[0])
	if c == nil {
		t.Fatalf("stack: no in-process Kafka listens on %s", s.Brokers[0])
	}
	resume = testkit.PauseProduce(c)
	t.Cleanup(resume)
	return resume
}
