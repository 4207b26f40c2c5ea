package records

import (
	"context"
	"sync"
	"testing"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// TestBatcherSurvivesAPanic checks that a batch whose run panics fails its
// creates, and that the creates after it still run.
func TestBatcherSurvivesAPanic(t *testing.T) {
	var mu sync.Mutex
	panicked := false
	b := newBatcher(func(_ batchKey, items []*pendingCreate) {
		mu.Lock()
		first := !panicked
		panicked = true
		mu.Unlock()
		if first {
			panic("a bug")
		}
		for _, it := range items {
			it.err = nil
		}
	})
	key := batchKey{tenant: "t", table: pgstore.Contacts}
	if err := b.do(context.Background(), key, auth.Principal{}, &customer.Contact{}, CreateOptions{}); err == nil {
		t.Fatal("the create of a panicking batch: nil error, want one")
	}
	if err := b.do(context.Background(), key, auth.Principal{}, &customer.Contact{}, CreateOptions{}); err != nil {
		t.Fatalf("the create after a panic: %v", err)
	}
	if len(b.queues) != 0 {
		t.Errorf("%d queues left, want none", len(b.queues))
	}
}
