package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// balancerDialTimeout bounds connecting to one replica before the next is
// tried.
const balancerDialTimeout = time.Second

// balancer is a TCP balancer over the replicas of one service, the local
// stand-in for a Kubernetes Service: each connection goes to the next
// replica in turn, skipping one that refuses it (down or restarting).
type balancer struct {
	ln       net.Listener
	backends []string
	next     atomic.Uint32

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// startBalancer listens on addr and forwards connections to backends.
func startBalancer(addr string, backends []string) (*balancer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("balancer on %s: %w", addr, err)
	}
	b := &balancer{ln: ln, backends: backends, conns: map[net.Conn]struct{}{}}
	b.wg.Add(1)
	go b.serve()
	return b, nil
}

func (b *balancer) serve() {
	defer b.wg.Done()
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			b.forward(c)
		}()
	}
}

// forward connects c to the first replica, in turn, that accepts, and
// copies both ways until either side closes; c is closed when no replica
// accepts.
func (b *balancer) forward(c net.Conn) {
	up, err := b.dial()
	if err != nil {
		c.Close()
		return
	}
	if !b.track(c, up) {
		c.Close()
		up.Close()
		return
	}
	defer b.untrack(c, up)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	<-done
}

// dial tries every replica once, starting at the next in turn.
func (b *balancer) dial() (net.Conn, error) {
	start := int(b.next.Add(1))
	var errs []error
	for i := range b.backends {
		addr := b.backends[(start+i)%len(b.backends)]
		up, err := net.DialTimeout("tcp", addr, balancerDialTimeout)
		if err == nil {
			return up, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func (b *balancer) track(cs ...net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	for _, c := range cs {
		b.conns[c] = struct{}{}
	}
	return true
}

func (b *balancer) untrack(cs ...net.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range cs {
		c.Close()
		delete(b.conns, c)
	}
}

// Close stops listening, closes every forwarded connection and waits for
// the copies to end.
func (b *balancer) Close() {
	b.ln.Close()
	b.mu.Lock()
	b.closed = true
	for c := range b.conns {
		c.Close()
	}
	b.mu.Unlock()
	b.wg.Wait()
}
