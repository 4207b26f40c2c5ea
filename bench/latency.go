package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/events"
)

// Shape of the latency runs.
const (
	latencyN        = 1_000                 // samples per run
	latencyInterval = 2 * time.Millisecond  // one send every interval
	warmupInterval  = 20 * time.Millisecond // warm-up sends until the group reads
	receiveWaitUp   = 15 * time.Second      // wait for stragglers after the last send
)

// latency is one latency run's distribution.
type latency struct {
	P50, P99, Max time.Duration
	Samples       int // records received (of latencyN sent)
}

// sendFunc sends record seq and returns the time its latency counts from.
type sendFunc func(ctx context.Context, seq int) (time.Time, error)

// readerConfig is the group reader both latency runs consume with: the
// settings of events.Consumer except MaxWait, which is the run's parameter.
func readerConfig(brokers []string, topic string, maxWait time.Duration) kafka.ReaderConfig {
	return kafka.ReaderConfig{
		Brokers:           brokers,
		GroupID:           "bench-" + randomHex(4),
		GroupTopics:       []string{topic},
		MinBytes:          1,
		MaxBytes:          10 << 20,
		MaxWait:           maxWait,
		StartOffset:       kafka.FirstOffset,
		HeartbeatInterval: time.Second,
		SessionTimeout:    6 * time.Second,
		RebalanceTimeout:  6 * time.Second,
		ReadBackoffMin:    10 * time.Millisecond,
		ReadBackoffMax:    100 * time.Millisecond,
	}
}

// measureLatency starts a group reader on topic, warms up until it receives,
// then calls send for latencyN records one every latencyInterval and returns
// the distribution of receive time − send time.
func measureLatency(ctx context.Context, brokers []string, topic string, maxWait time.Duration, send sendFunc) (latency, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := kafka.NewReader(readerConfig(brokers, topic, maxWait))
	defer r.Close()

	received := make([]time.Time, latencyN)
	warm := make(chan struct{})
	all := make(chan error, 1)
	go func() {
		got, warmed := 0, false
		for got < latencyN {
			m, err := r.FetchMessage(ctx)
			at := time.Now()
			if err != nil {
				all <- err
				return
			}
			seq, err := seqOf(m.Value)
			if err != nil {
				all <- err
				return
			}
			switch {
			case seq < 0:
				if !warmed {
					warmed = true
					close(warm)
				}
			case seq < latencyN && received[seq].IsZero():
				received[seq] = at
				got++
			}
		}
		all <- nil
	}()

	if err := warmUp(ctx, send, warm); err != nil {
		return latency{}, err
	}
	sent := make([]time.Time, latencyN)
	start := time.Now()
	for i := range latencyN {
		if d := time.Until(start.Add(time.Duration(i) * latencyInterval)); d > 0 {
			time.Sleep(d)
		}
		t, err := send(ctx, i)
		if err != nil {
			return latency{}, fmt.Errorf("send %d: %w", i, err)
		}
		sent[i] = t
	}
	select {
	case err := <-all:
		if err != nil {
			return latency{}, fmt.Errorf("reader: %w", err)
		}
	case <-time.After(receiveWaitUp):
	}
	cancel() // stop the reader before reading what it wrote
	var ds []time.Duration
	for i, at := range received {
		if !at.IsZero() {
			ds = append(ds, at.Sub(sent[i]))
		}
	}
	if len(ds) == 0 {
		return latency{}, errors.New("no record received")
	}
	slices.Sort(ds)
	return latency{P50: quantile(ds, 0.50), P99: quantile(ds, 0.99), Max: ds[len(ds)-1], Samples: len(ds)}, nil
}

// warmUp sends records with negative sequence numbers until the reader has
// joined its group and received one, then lets it settle.
func warmUp(ctx context.Context, send sendFunc, warm <-chan struct{}) error {
	timeout := time.After(30 * time.Second)
	for seq := -1; ; seq-- {
		if _, err := send(ctx, seq); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
		select {
		case <-warm:
			time.Sleep(200 * time.Millisecond)
			return nil
		case <-timeout:
			return errors.New("warm-up: the group reader received nothing in 30s")
		case <-time.After(warmupInterval):
		}
	}
}

// quantile returns the nearest-rank q-quantile of sorted ds.
func quantile(ds []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(ds))+0.5) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

// rawLatency measures events.NewPublisher producing one record per
// WriteMessages call; latency counts from just before the call.
func rawLatency(ctx context.Context, maxWait time.Duration) (latency, error) {
	topic := events.Topic("", "rawlatency")
	c, err := newCluster(topic)
	if err != nil {
		return latency{}, err
	}
	defer c.Close()
	pub := events.NewPublisher(c.ListenAddrs())
	defer pub.Close()
	tenant := newTenant()
	return measureLatency(ctx, c.ListenAddrs(), topic, maxWait, func(ctx context.Context, seq int) (time.Time, error) {
		m := newEvent(tenant, seq).Message(topic)
		t := time.Now()
		return t, pub.Publish(ctx, m)
	})
}

// outboxLatency measures one-event transactions relayed by a running relay;
// latency counts from just after the commit returned.
func outboxLatency(ctx context.Context, db *sqlx.DB, dsn string, maxWait time.Duration) (latency, error) {
	topic := events.Topic("", "outboxlatency")
	c, err := newCluster(topic)
	if err != nil {
		return latency{}, err
	}
	defer c.Close()
	_, stop, err := startRelay(db, dsn, c.ListenAddrs(), nil, 0)
	if err != nil {
		return latency{}, err
	}
	defer stop()
	tenant := newTenant()
	return measureLatency(ctx, c.ListenAddrs(), topic, maxWait, func(ctx context.Context, seq int) (time.Time, error) {
		err := addEvents(ctx, db, tenant, topic, newEvent(tenant, seq))
		return time.Now(), err
	})
}
