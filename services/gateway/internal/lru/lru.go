// Package lru is a bounded cache that forgets its least recently used entry
// when full and each entry at its own expiry time. The gateway keeps
// verified access tokens and minted internal tokens in it.
package lru

import (
	"sync"
	"time"
)

// Cache maps keys to values, holding at most its capacity. It is safe for
// concurrent use.
type Cache[K comparable, V any] struct {
	capacity int

	mu    sync.Mutex
	items map[K]*entry[K, V]
	head  *entry[K, V] // most recently used
	tail  *entry[K, V] // least recently used
}

// entry is one cached value, linked in recency order.
type entry[K comparable, V any] struct {
	key        K
	value      V
	expires    time.Time
	prev, next *entry[K, V]
}

// New returns an empty Cache holding at most capacity entries (at least 1).
func New[K comparable, V any](capacity int) *Cache[K, V] {
	capacity = max(capacity, 1)
	return &Cache[K, V]{capacity: capacity, items: make(map[K]*entry[K, V], capacity)}
}

// Get returns the value of key if it is cached and now is before its expiry,
// and marks it most recently used. An expired entry is removed.
func (c *Cache[K, V]) Get(key K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	if !now.Before(e.expires) {
		c.remove(e)
		var zero V
		return zero, false
	}
	c.moveToFront(e)
	return e.value, true
}

// Put caches value under key until expires, replacing any value key had, and
// forgets the least recently used entry when the cache is over capacity.
func (c *Cache[K, V]) Put(key K, value V, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.value, e.expires = value, expires
		c.moveToFront(e)
		return
	}
	e := &entry[K, V]{key: key, value: value, expires: expires}
	c.items[key] = e
	c.pushFront(e)
	if len(c.items) > c.capacity {
		c.remove(c.tail)
	}
}

// DeleteFunc removes every entry for which del returns true.
func (c *Cache[K, V]) DeleteFunc(del func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.head; e != nil; {
		next := e.next
		if del(e.key, e.value) {
			c.remove(e)
		}
		e = next
	}
}

func (c *Cache[K, V]) pushFront(e *entry[K, V]) {
	e.prev, e.next = nil, c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
}

func (c *Cache[K, V]) unlink(e *entry[K, V]) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (c *Cache[K, V]) moveToFront(e *entry[K, V]) {
	if c.head == e {
		return
	}
	c.unlink(e)
	c.pushFront(e)
}

func (c *Cache[K, V]) remove(e *entry[K, V]) {
	c.unlink(e)
	delete(c.items, e.key)
}
