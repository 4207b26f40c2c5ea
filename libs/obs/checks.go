package obs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
)

// errNoBrokers is returned by the Kafka check when it was given no address.
var errNoBrokers = errors.New("no Kafka brokers configured")

// PingDB returns a check that pings db (opening a connection if the pool has
// none).
func PingDB(db *sql.DB) Check {
	return func(ctx context.Context) error {
		if err := db.PingContext(ctx); err != nil {
			return fmt.Errorf("ping database: %w", err)
		}
		return nil
	}
}

// PingKafka returns a check that connects to the brokers and issues a Metadata
// request, succeeding if any broker answers. Each run uses a fresh client, so
// a broker that went away is noticed at once rather than masked by a pooled
// connection.
func PingKafka(brokers []string) Check {
	return func(ctx context.Context) error {
		if len(brokers) == 0 {
			return errNoBrokers
		}
		cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
		if err != nil {
			return fmt.Errorf("kafka client: %w", err)
		}
		defer cl.Close()
		if err := cl.Ping(ctx); err != nil {
			return fmt.Errorf("ping kafka %v: %w", brokers, err)
		}
		return nil
	}
}
