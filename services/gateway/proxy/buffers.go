package proxy

import "sync"

// copyBufferSize is the size of the buffers bodies are copied through, the
// size the reverse proxy would allocate itself.
const copyBufferSize = 32 << 10

// copyBuffers lends the reverse proxy its body copy buffers, which it would
// otherwise allocate for every response.
var copyBuffers = &bufferPool{pool: sync.Pool{New: func() any { return new([copyBufferSize]byte) }}}

// bufferPool implements httputil.BufferPool over a sync.Pool of arrays
// (pointers, so that Put does not allocate).
type bufferPool struct{ pool sync.Pool }

// Get implements httputil.BufferPool.
func (p *bufferPool) Get() []byte { return p.pool.Get().(*[copyBufferSize]byte)[:] }

// Put implements httputil.BufferPool.
func (p *bufferPool) Put(b []byte) {
	if cap(b) >= copyBufferSize {
		p.pool.Put((*[copyBufferSize]byte)(b[:copyBufferSize]))
	}
}
