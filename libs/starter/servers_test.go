package starter_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// echo is a Server answering each line with itself on ln; once its ctx
// ends it reports on stopped whether the instance's HTTP server still
// answered (it must not) and whether the database still did (it must).
func echo(ln net.Listener, env *starter.Env, httpURL *string, stopped chan<- [2]bool) starter.Server {
	return starter.Server{Name: "echo", Run: func(ctx context.Context) error {
		go func() {
			<-ctx.Done()
			_ = ln.Close()
		}()
		for {
			conn, err := ln.Accept()
			if err != nil {
				_, httpErr := http.Get(*httpURL + "/livez")
				stopped <- [2]bool{httpErr == nil, env.DB.PingContext(context.Background()) == nil}
				return nil
			}
			go func() {
				defer conn.Close()
				line, _ := bufio.NewReader(conn).ReadString('\n')
				_, _ = conn.Write([]byte(line))
			}()
		}
	}}
}

// TestServersRunWithTheAPIAndStopInOrder starts a service with a Server:
// it listens once Start returns, and on shutdown it stops after the HTTP
// server and before the database closes.
func TestServersRunWithTheAPIAndStopInOrder(t *testing.T) {
	db, brokers := testkit.Postgres(t), testkit.Kafka(t)
	_, jwks := contracttest.Gateway(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var env starter.Env
	var httpURL string
	stopped := make(chan [2]bool, 1)
	s := notes(make(chan struct{}, 1))
	build := s.Build
	s.Build = func(ctx context.Context, e starter.Env) (starter.API, error) {
		api, err := build(ctx, e)
		env, api.Servers = e, []starter.Server{echo(ln, &env, &httpURL, stopped)}
		return api, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := starter.Config{Name: s.Name, HTTPAddr: "127.0.0.1:0", DatabaseURL: db.AppURL, MigrateURL: db.AdminURL,
		Brokers: brokers, JWKSURL: jwks}
	in, err := starter.Start(ctx, cfg, s, quiet)
	if err != nil {
		t.Fatal(err)
	}
	httpURL = "http://" + in.Addr()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = conn.Write([]byte("hello\n"))
	line, err := bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	if line != "hello\n" {
		t.Fatalf("the server answered %q (%v), want hello", line, err)
	}
	cancel()
	if err := in.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := <-stopped; got != [2]bool{false, true} {
		t.Errorf("when the server stopped: HTTP answered %v (want false), the database %v (want true)", got[0], got[1])
	}
}

// TestAFailingServerStopsTheInstance checks that a Server's error stops the
// instance with that error.
func TestAFailingServerStopsTheInstance(t *testing.T) {
	db, brokers := testkit.Postgres(t), testkit.Kafka(t)
	_, jwks := contracttest.Gateway(t)
	s := notes(make(chan struct{}, 1))
	build := s.Build
	s.Build = func(ctx context.Context, e starter.Env) (starter.API, error) {
		api, err := build(ctx, e)
		api.Servers = []starter.Server{{Name: "smtp", Run: func(context.Context) error { return errors.New("address in use") }}}
		return api, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := starter.Config{Name: s.Name, HTTPAddr: "127.0.0.1:0", DatabaseURL: db.AppURL, MigrateURL: db.AdminURL,
		Brokers: brokers, JWKSURL: jwks}
	in, err := starter.Start(ctx, cfg, s, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Wait(); err == nil || !strings.Contains(err.Error(), "server smtp: address in use") {
		t.Errorf("the instance stopped with %v, want the server's error", err)
	}
}
