package proc

import "sync"

// tail is an io.Writer keeping the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func newTail(max int) *tail { return &tail{max: max} }

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// last returns up to the last n bytes kept, all of them when n <= 0.
func (t *tail) last(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n > 0 && len(t.buf) > n {
		return string(t.buf[len(t.buf)-n:])
	}
	return string(t.buf)
}
