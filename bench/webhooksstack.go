package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// webhooksStack is the gateway alone with its Kafka's brokers.
type webhooksStack struct {
	*gatewayStack
	brokers []string
	proc    *proc.Process // the gateway's process: its pid and its output's tail
	dbURL   string        // the gateway database's owner URL
}

// startWebhooksStack builds the gateway and starts it alone (no service
// behind it: STATIC_UPSTREAMS names an address nothing listens on) on a
// scratch database and an in-process Kafka holding every built service's
// topic (the gateway's own rapport.webhooks.v1 too), each with its
// dead-letter topic, partitions partitions each: the webhooks' consumer reads them all.
// GATEWAY_WEBHOOK_ALLOW_PRIVATE lets it deliver to the bench's receiver
// on 127.0.0.1. The caller must Close the stack, also on error.
func startWebhooksStack(ctx context.Context, root string) (*webhooksStack, error) {
	s := &webhooksStack{gatewayStack: &gatewayStack{Platform: randomHex(24)}}
	dir, err := os.MkdirTemp("", "rapport-bench-webhooks-")
	if err != nil {
		return s, err
	}
	s.close = append(s.close, func() { os.RemoveAll(dir) })
	gw, err := buildBinary(ctx, root, dir, "./services/gateway/cmd/gateway")
	if err != nil {
		return s, err
	}
	db, err := newScratchDB(ctx, serverURL())
	if err != nil {
		return s, err
	}
	s.close = append(s.close, func() { db.Drop() }) //nolint:errcheck // best effort
	// The gateway's own rapport.webhooks.v1 among them.
	var seeded []string
	for _, svc := range registry.Default().Built() {
		if svc.Context != "" {
			t := svc.Topic("")
			seeded = append(seeded, t, events.DLQ(t))
		}
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, seeded...))
	if err != nil {
		return s, err
	}
	s.close = append(s.close, cluster.Close)
	s.brokers = cluster.ListenAddrs()
	keyFile := filepath.Join(dir, "signing-key.pem")
	if s.Key, err = auth.WriteKeyFile(keyFile); err != nil {
		return s, err
	}
	addrs, err := proc.FreeAddrs(3)
	if err != nil {
		return s, err
	}
	s.Gateway, s.GatewayMetrics = "http://"+addrs[0], "http://"+addrs[1]
	s.admin = gatewayadmin.New(s.Gateway, s.Platform, time.Minute)
	dataKey, _ := hex.DecodeString(randomHex(32))
	s.dbURL = db.AdminURL
	s.proc, err = gw.run(ctx, s.Gateway, []string{"KAFKA_BROKERS=" + strings.Join(s.brokers, ","), "TOPIC_PREFIX=", "LOG_LEVEL=error",
		"SERVICE_NAME=gateway", "DATABASE_URL=" + db.AppURL, "DATABASE_MIGRATE_URL=" + db.AdminURL,
		"GATEWAY_ADDR=" + addrs[0], "GATEWAY_METRICS_ADDR=" + addrs[1], "GATEWAY_PUBLIC_URL=" + s.Gateway,
		"GATEWAY_DATA_KEY=" + base64.StdEncoding.EncodeToString(dataKey),
		"GATEWAY_PLATFORM_TOKEN=" + s.Platform, "GATEWAY_SIGNING_KEYS=" + keyFile,
		"STATIC_UPSTREAMS=contacts=" + addrs[2], "RATE_LIMIT_TENANT=1000000:1000000",
		"GATEWAY_WEBHOOK_ALLOW_PRIVATE=true"})
	if err != nil {
		return s, err
	}
	s.close = append(s.close, func() { s.proc.Stop(10 * time.Second) })
	return s, nil
}
