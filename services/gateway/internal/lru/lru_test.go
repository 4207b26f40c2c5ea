package lru

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// op is one call on a cache of capacity 2: put key until expires, or get key
// at now and want value ("" for a miss).
type op struct {
	put     bool
	key     string
	value   string
	expires time.Duration // after t0, for put
	now     time.Duration // after t0, for get
	want    string
}

func put(key, value string, expires time.Duration) op {
	return op{put: true, key: key, value: value, expires: expires}
}

func get(key string, now time.Duration, want string) op {
	return op{key: key, now: now, want: want}
}

func TestCache(t *testing.T) {
	tests := []struct {
		name    string
		ops     []op
		wantLen int
	}{
		{"miss on an empty cache", []op{get("a", 0, "")}, 0},
		{"hit before expiry", []op{put("a", "1", time.Minute), get("a", 59*time.Second, "1")}, 1},
		{"miss at expiry, and the entry is gone", []op{put("a", "1", time.Minute), get("a", time.Minute, ""), get("a", 0, "")}, 0},
		{"put replaces value and expiry", []op{put("a", "1", time.Minute), put("a", "2", time.Hour), get("a", 2*time.Minute, "2")}, 1},
		{"a third key evicts the least recently put", []op{
			put("a", "1", time.Hour), put("b", "2", time.Hour), put("c", "3", time.Hour),
			get("a", 0, ""), get("b", 0, "2"), get("c", 0, "3"),
		}, 2},
		{"a get makes an entry recent", []op{
			put("a", "1", time.Hour), put("b", "2", time.Hour), get("a", 0, "1"), put("c", "3", time.Hour),
			get("a", 0, "1"), get("b", 0, ""), get("c", 0, "3"),
		}, 2},
		{"a put of a cached key makes it recent", []op{
			put("a", "1", time.Hour), put("b", "2", time.Hour), put("a", "1b", time.Hour), put("c", "3", time.Hour),
			get("a", 0, "1b"), get("b", 0, ""),
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New[string, string](2)
			for i, o := range tt.ops {
				if o.put {
					c.Put(o.key, o.value, t0.Add(o.expires))
					continue
				}
				got, ok := c.Get(o.key, t0.Add(o.now))
				if ok != (o.want != "") || got != o.want {
					t.Errorf("op %d: Get(%q) = %q, %v; want %q", i, o.key, got, ok, o.want)
				}
			}
			if got := len(c.items); got != tt.wantLen {
				t.Errorf("len = %d, want %d", got, tt.wantLen)
			}
		})
	}
}

func TestDeleteFunc(t *testing.T) {
	tests := []struct {
		name string
		del  func(string, int) bool
		want []string // keys left, sorted
	}{
		{"none", func(string, int) bool { return false }, []string{"a", "b", "c", "d"}},
		{"odd values", func(_ string, v int) bool { return v%2 == 1 }, []string{"b", "d"}},
		{"the most and least recent", func(k string, _ int) bool { return k == "a" || k == "d" }, []string{"b", "c"}},
		{"all", func(string, int) bool { return true }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New[string, int](10)
			for i, k := range []string{"a", "b", "c", "d"} {
				c.Put(k, i+1, t0.Add(time.Hour))
			}
			c.DeleteFunc(tt.del)
			var got []string
			for _, k := range []string{"a", "b", "c", "d"} {
				if _, ok := c.Get(k, t0); ok {
					got = append(got, k)
				}
			}
			if !slices.Equal(got, tt.want) || len(c.items) != len(tt.want) {
				t.Errorf("left %v (len %d), want %v", got, len(c.items), tt.want)
			}
			// The list is intact: filling the cache again evicts in order.
			for i := range 10 {
				c.Put("n"+strconv.Itoa(i), i, t0.Add(time.Hour))
			}
			if got := len(c.items); got != 10 {
				t.Errorf("len after refill = %d, want 10", got)
			}
		})
	}
}

// TestConcurrentUse is for the race detector, and checks the bound holds.
func TestConcurrentUse(t *testing.T) {
	const capacity = 64
	c := New[int, int](capacity)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := (g*7919 + i) % 200
				c.Put(k, i, t0.Add(time.Hour))
				c.Get(k/2, t0)
				if i%500 == 0 {
					c.DeleteFunc(func(k, _ int) bool { return k%3 == 0 })
				}
			}
		})
	}
	wg.Wait()
	if got := len(c.items); got > capacity {
		t.Errorf("len = %d, want at most %d", got, capacity)
	}
}
