package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestLauncherReplicasBalancer: the front of two replicas, one of which
// refuses connections (down), sends every connection to the live one;
// closed, it refuses connections and ends those it forwarded.
func TestLauncherReplicasBalancer(t *testing.T) {
	live := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "live") }))
	defer live.Close()
	down := loopback(testkit.FreePort(t))
	front := loopback(testkit.FreePort(t))
	b, err := startBalancer(front, []string{down, live.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 { // each replica comes first in turn
		// A new connection each time, so each is balanced.
		cl := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := cl.Get("http://" + front + "/")
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "live" {
			t.Errorf("request %d: %q", i, body)
		}
	}

	held, err := net.Dial("tcp", front)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if _, err := held.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := held.Read(make([]byte, 64)); err != nil {
		t.Fatalf("read through the front: %v", err)
	}
	b.Close()
	held.SetReadDeadline(time.Now().Add(10 * time.Second)) // a failure rather than a hang
	if _, err := io.ReadAll(held); err != nil {
		t.Errorf("a forwarded connection after Close: %v, want it ended", err)
	}
	if c, err := net.Dial("tcp", front); err == nil {
		c.Close()
		t.Error("the closed front still accepts connections")
	}
}
