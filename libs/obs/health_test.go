package obs_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	_ "github.com/lib/pq"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// testDSN is the real PostgreSQL the tests use; TEST_DATABASE_URL overrides it.
func testDSN() string {
	if dsn := os.Getenv("TEST_DATABASE_URL"); dsn != "" {
		return dsn
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newKafka(t *testing.T) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// closedPort returns a local port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	return strconv.Itoa(testkit.FreePort(t))
}

func getReady(t *testing.T, srv *httptest.Server) (int, obs.Report) {
	t.Helper()
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatalf("GET /readyz: %v", err)
	}
	defer resp.Body.Close()
	var rep obs.Report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatalf("decode /readyz body: %v", err)
	}
	return resp.StatusCode, rep
}

func TestReadyz(t *testing.T) {
	kafka := newKafka(t)
	h := obs.NewHealth()
	h.AddCheck("db", obs.PingDB(openDB(t, testDSN())))
	h.AddCheck("kafka", obs.PingKafka(kafka.ListenAddrs()))
	srv := httptest.NewServer(obs.Mux(h, obs.NewMetrics("test")))
	defer srv.Close()

	t.Run("both up", func(t *testing.T) {
		got, rep := getReady(t, srv)
		if got != http.StatusOK {
			t.Fatalf("status: got %d, want 200; body %+v", got, rep)
		}
		if rep.Status != "ok" || rep.Checks["db"] != "ok" || rep.Checks["kafka"] != "ok" {
			t.Errorf("body: got %+v, want all ok", rep)
		}
	})

	t.Run("kafka down", func(t *testing.T) {
		kafka.Close()
		got, rep := getReady(t, srv)
		if got != http.StatusServiceUnavailable {
			t.Fatalf("status: got %d, want 503; body %+v", got, rep)
		}
		if want := []string{"kafka"}; !slices.Equal(rep.Failing, want) {
			t.Errorf("failing: got %v, want %v (checks %v)", rep.Failing, want, rep.Checks)
		}
	})

	t.Run("healthz stays up", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("status: got %d, want 200", resp.StatusCode)
		}
	})
}

func TestReadyzDatabaseDown(t *testing.T) {
	kafka := newKafka(t)
	h := obs.NewHealth()
	dsn := "postgres://postgres@127.0.0.1:" + closedPort(t) + "/postgres?sslmode=disable&connect_timeout=1"
	h.AddCheck("db", obs.PingDB(openDB(t, dsn)))
	h.AddCheck("kafka", obs.PingKafka(kafka.ListenAddrs()))
	srv := httptest.NewServer(obs.Mux(h, nil))
	defer srv.Close()

	got, rep := getReady(t, srv)
	if got != http.StatusServiceUnavailable {
		t.Fatalf("status: got %d, want 503; body %+v", got, rep)
	}
	if want := []string{"db"}; !slices.Equal(rep.Failing, want) {
		t.Errorf("failing: got %v, want %v (checks %v)", rep.Failing, want, rep.Checks)
	}
}

func TestCheckTimeoutAndConcurrency(t *testing.T) {
	h := &obs.Health{Timeout: 200 * time.Millisecond}
	slow := func(ctx context.Context) error { <-ctx.Done(); time.Sleep(time.Second); return ctx.Err() }
	h.AddCheck("slow-a", slow)
	h.AddCheck("slow-b", slow)
	h.AddCheck("broken", func(context.Context) error { return errors.New("boom") })
	h.AddCheck("fine", func(context.Context) error { return nil })

	start := time.Now()
	rep := h.Check(context.Background())
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v, want about the 200ms timeout (checks run concurrently)", took)
	}
	if want := []string{"broken", "slow-a", "slow-b"}; !slices.Equal(rep.Failing, want) {
		t.Errorf("failing: got %v, want %v", rep.Failing, want)
	}
	if got, want := rep.Checks["broken"], "boom"; got != want {
		t.Errorf("broken: got %q, want %q", got, want)
	}
	if got, want := rep.Checks["fine"], "ok"; got != want {
		t.Errorf("fine: got %q, want %q", got, want)
	}
}

func TestNoChecksIsReady(t *testing.T) {
	if rep := obs.NewHealth().Check(context.Background()); !rep.Ready() || rep.Status != "ok" {
		t.Errorf("got %+v, want ready", rep)
	}
}
