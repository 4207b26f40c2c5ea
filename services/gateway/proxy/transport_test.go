package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
)

// resetter is an upstream that reads a whole request and then resets the
// connection without answering: the request was sent, its effect unknown.
func resetter(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if req, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
				req.Body.Close()
			}
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// TestHandlerNeverResendsASentPost: once a POST reached a replica (the
// connection broke after it was sent) it is not sent to another, which
// could apply it twice; a GET is.
func TestHandlerNeverResendsASentPost(t *testing.T) {
	e := newEnv(t)
	live := newUpstream(t, e, "contacts", nil)
	_, gw := newGateway(t, e, Config{
		Resolver: instances(resetter(t), live.addr()),
		Breaker:  BreakerConfig{Failures: 1000},
	})
	for _, tt := range []struct {
		method  string
		wantOK  int // of two requests, one starting at each replica
		wantGot int // requests the live replica received
	}{
		{http.MethodPost, 1, 1},
		{http.MethodGet, 2, 2},
	} {
		before := live.count()
		statuses := map[int]int{}
		for range 2 {
			var body io.Reader
			if tt.method == http.MethodPost {
				body = stringsReader(`{"firstName":"Ada"}`)
			}
			resp := do(t, tt.method, gw.URL+"/v1/contacts", writer(), e, body, nil)
			statuses[resp.StatusCode]++
		}
		if statuses[http.StatusOK] != tt.wantOK || live.count()-before != tt.wantGot {
			t.Errorf("%s: statuses %v, live replica got %d; want %d OK, %d received", tt.method, statuses, live.count()-before, tt.wantOK, tt.wantGot)
		}
	}
}
