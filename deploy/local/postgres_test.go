package main

import (
	"context"
	"testing"
	"time"
)

// TestMaxConnections: the throwaway cluster's max_connections covers every
// process's pool of 20 plus 30 spare, and is never below PostgreSQL's 100.
func TestMaxConnections(t *testing.T) {
	for _, tc := range []struct{ processes, want int }{
		{0, 100},
		{3, 100},  // 3*20+30 = 90
		{7, 170},  // one replica of each service
		{13, 290}, // RAPPORT_REPLICAS=2: 12 processes and the gateway
	} {
		if got := maxConnections(tc.processes); got != tc.want {
			t.Errorf("maxConnections(%d) = %d, want %d", tc.processes, got, tc.want)
		}
	}
}

// TestMaxConnectionsOnTheThrowawayCluster: the cluster startPostgres
// starts for 13 processes runs with their max_connections.
func TestMaxConnectionsOnTheThrowawayCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	server := startThrowaway(ctx, t, 13)
	var got int
	if err := server.DB.QueryRowContext(ctx, `SELECT current_setting('max_connections')::int`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := maxConnections(13); got != want {
		t.Errorf("max_connections = %d, want %d", got, want)
	}
}
